"""The monthly uptime report of a store (page, CSV, PDF) and the 90-day bar chart (SVG).

Everything here is built from ``selectors`` figures; times are shown in the merchant's zone.
The SVG is made of numbers and dates only (nothing a merchant typed), escaped all the same.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from helpline.core import display
from helpline.merchants.models import Store
from helpline.monitoring import selectors, uptime
from helpline.monitoring.models import Outage


@dataclass(frozen=True)
class MonthlyReport:
    store: Store
    zone: str
    month: date  # the first day
    figures: uptime.Figures
    year: uptime.Figures  # the year so far, for the 99.8 % promise
    days: list[tuple[date, uptime.Figures]]
    outages: list[Outage]
    generated_at: datetime


def monthly(store: Store, *, month: date, now: datetime) -> MonthlyReport:
    first = month.replace(day=1)
    zone = selectors.zone_of(store)
    start, end = uptime.period_bounds("month", first, zone)
    dates = [d for d in (first + timedelta(days=i) for i in range(31)) if d.month == first.month]
    days = selectors.daily_figures(store, dates=dates, now=now)
    outages = [
        o
        for o in Outage.objects.filter(store=store, started_at__lt=end).order_by("started_at")
        if (o.ended_at or now) > start
    ]
    return MonthlyReport(
        store=store,
        zone=str(zone),
        month=first,
        figures=selectors.store_figures(store, kind="month", day=first, now=now),
        year=selectors.store_figures(store, kind="year", day=first, now=now),
        days=days,
        outages=outages,
        generated_at=now,
    )


def _pct(value: float | None) -> str:
    return "not watched" if value is None else f"{value:.3f} %"


def _outage_row(o: Outage, report: MonthlyReport) -> list[str]:
    minutes = ((o.ended_at or report.generated_at) - o.started_at).total_seconds() / 60
    return [
        display.when(o.started_at, report.zone),
        display.when(o.ended_at, report.zone, missing="ongoing"),
        f"{minutes:.1f}",
        "yes" if o.maintenance else "no",
    ]


def as_csv(report: MonthlyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["store", report.store.name, "month", report.month.strftime("%Y-%m")])
    writer.writerow(["time zone", report.zone])
    writer.writerow(
        [
            "date",
            "downtime_minutes",
            "maintenance_minutes",
            "unknown_minutes",
            "measured_minutes",
            "uptime_percent",
            "verdict",
        ]
    )
    for day, f in report.days:
        writer.writerow(
            [
                day.isoformat(),
                f"{f.downtime_minutes:.2f}",
                f"{f.maintenance_minutes:.2f}",
                f"{f.unknown_minutes:.2f}",
                f"{f.measured_minutes:.2f}",
                "" if f.uptime_percent is None else f"{f.uptime_percent:.4f}",
                f.verdict,
            ]
        )
    f = report.figures
    writer.writerow([])
    writer.writerow(["month downtime_minutes", f"{f.downtime_minutes:.2f}"])
    writer.writerow(["month budget_minutes", f"{f.budget_minutes:.2f}"])
    writer.writerow(["month remaining_minutes", f"{f.remaining_minutes:.2f}"])
    writer.writerow(["month unknown_minutes", f"{f.unknown_minutes:.2f}"])
    writer.writerow(
        ["month uptime_percent", "" if f.uptime_percent is None else f"{f.uptime_percent:.4f}"]
    )
    writer.writerow(["month verdict", f.verdict, f.verdict_words])
    writer.writerow(["year so far verdict", report.year.verdict, report.year.verdict_words])
    writer.writerow([])
    writer.writerow(["outage_start", "outage_end", "minutes", "maintenance", "cause"])
    for o in report.outages:
        writer.writerow([*_outage_row(o, report), o.cause])
    return out.getvalue()


def _summary_rows(report: MonthlyReport) -> list[list[str]]:
    f = report.figures
    return [
        ["Uptime", _pct(f.uptime_percent), "Promise", "99.8 % a year"],
        ["Promise this month", f.verdict_words, "Year so far", report.year.verdict_words],
        ["Downtime", f"{f.downtime_minutes:.1f} min", "Budget", f"{f.budget_minutes:.2f} min"],
        [
            "of which maintenance",
            f"{f.maintenance_minutes:.1f} min",
            "Remaining",
            f"{f.remaining_minutes:.2f} min",
        ],
        [
            "Unknown (not measured)",
            f"{f.unknown_minutes:.1f} min",
            "Year so far",
            _pct(report.year.uptime_percent),
        ],
    ]


def _day_rows(report: MonthlyReport) -> list[list[str]]:
    rows = [["Date", "Down (min)", "Unknown (min)", "Uptime"]]
    rows += [
        [
            display.day(d),
            f"{x.downtime_minutes:.1f}",
            f"{x.unknown_minutes:.1f}",
            _pct(x.uptime_percent),
        ]
        for d, x in report.days
    ]
    return rows


def as_pdf(report: MonthlyReport) -> bytes:
    # reportlab ships no type information (types-reportlab follows another release).
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.styles import getSampleStyleSheet  # type: ignore[import-untyped]
    from reportlab.platypus import (  # type: ignore[import-untyped]
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=f"Uptime {report.store.name} {report.month:%Y-%m}"
    )
    styles = getSampleStyleSheet()
    story = [
        Paragraph(escape(f"Uptime report — {report.store.name}"), styles["Title"]),
        Paragraph(escape(f"{report.month:%B %Y}, times in {report.zone}"), styles["Normal"]),
        Spacer(1, 12),
    ]
    story.append(Table(_summary_rows(report), hAlign="LEFT"))
    story.append(Spacer(1, 12))
    table = Table(_day_rows(report), hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)
    if report.outages:
        story += [Spacer(1, 12), Paragraph("Outages", styles["Heading2"])]
        out_rows = [["From", "To", "Minutes", "Maintenance"]]
        out_rows += [_outage_row(o, report) for o in report.outages]
        story.append(Table(out_rows, hAlign="LEFT"))
    doc.build(story)
    return buffer.getvalue()


def bar_class(f: uptime.Figures) -> str:
    if f.measured_minutes <= 0:
        return "unknown"
    if f.downtime_minutes <= 0:
        return "up"
    return "down" if (f.uptime_percent or 0) < uptime.PROMISE * 100 else "partial"


def bars_svg(days: list[tuple[date, uptime.Figures]], *, width: int = 540, height: int = 34) -> str:
    """The status page's 90-day chart: one bar a day, coloured by that day's uptime, each with
    a tooltip (<title>) naming the date and the figures."""
    colours = {"up": "#2e9d5b", "partial": "#e0a526", "down": "#d0463c", "unknown": "#b9b9b9"}
    step = width / max(len(days), 1)
    bars = []
    for i, (day, f) in enumerate(days):
        kind = bar_class(f)
        label = (
            f"{day:%d %b %Y}: "
            + ("no data" if kind == "unknown" else f"{_pct(f.uptime_percent)} up")
            + (f", {f.downtime_minutes:.0f} min down" if f.downtime_minutes else "")
            + (f", {f.unknown_minutes:.0f} min unknown" if f.unknown_minutes else "")
        )
        bars.append(
            f'<rect x="{i * step:.1f}" y="0" width="{max(step - 1.5, 1):.1f}" '
            f'height="{height}" rx="1.5" fill="{colours[kind]}" class="bar-{kind}">'
            f"<title>{escape(label)}</title></rect>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" height="{height}" role="img" aria-label="Uptime, one bar a day">'
        + "".join(bars)
        + "</svg>"
    )
