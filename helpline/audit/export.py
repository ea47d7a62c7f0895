"""The audit trail as CSV: one row per entry, times in the reader's zone, cells formula-safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import tzinfo

from helpline.audit.models import AuditEntry
from helpline.core import display
from helpline.core.spreadsheet import formula_safe

HEADER = (
    "seq",
    "when",
    "who",
    "who (id)",
    "action",
    "object",
    "object id",
    "about person (id)",
    "IP",
    "user agent",
    "before",
    "after",
    "hash",
)


def to_csv(entries: Iterable[AuditEntry], zone: tzinfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for e in entries:
        row = (
            e.seq,
            display.when(e.at, zone),
            e.actor_label,
            e.actor_id if e.actor_id is not None else "",
            e.action,
            e.object_type,
            e.object_id,
            e.subject_id if e.subject_id is not None else "",
            e.ip,
            e.user_agent,
            e.before,
            e.after,
            e.hash,
        )
        writer.writerow([formula_safe(v) for v in row])
    return out.getvalue()
