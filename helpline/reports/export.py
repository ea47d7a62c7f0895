"""Report tables as CSV and XLSX files (every table the pages show can be downloaded).

Cells that a spreadsheet would read as a formula (=, +, -, @, tab, CR at the start — a ticket
subject is merchant text) are written with a leading apostrophe, so opening an export never
runs anything.
"""

from __future__ import annotations

import csv
import io

from helpline.core.spreadsheet import formula_safe
from helpline.reports.selectors import Table

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else formula_safe(v) for v in row])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.name[:31])
    sheet.append([table.title])
    sheet.append(table.columns)
    for row in table.rows:
        sheet.append([formula_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(table: Table, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of ``table`` as ``fmt`` (csv or xlsx)."""
    if fmt == "csv":
        return to_csv(table), CONTENT_TYPES["csv"], f"{table.name}.csv"
    if fmt == "xlsx":
        return to_xlsx(table), CONTENT_TYPES["xlsx"], f"{table.name}.xlsx"
    raise ValueError(fmt)
