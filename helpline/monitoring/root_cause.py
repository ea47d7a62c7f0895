"""Root-cause reports as a promise (decision 0229).

- ``owe_for_incident`` / ``owe_for_outage``: every platform incident, and every store outage
  longer than ``ROOT_CAUSE_OUTAGE_MINUTES`` that belongs to no incident, owes one report, due
  five business days (``sla.defaults.BUSINESS_DAY``) on the SLA module's business calendar
  after it was owed. Its owner comes from ``listeners.root_cause_owner`` (the on-call, or the
  leads: decided above monitoring); nobody: the admins are told.
- ``root_cause_sweep``: the worker tells the owner through the outbox at 75 % of the time and
  at the breach, each once (``notice_at`` is the queue).
- ``root_cause_publish``: staff's Markdown, rendered and sanitised (nh3: no script, no iframe,
  no ``javascript:`` link), published on the status page; each linked ticket gets a public
  ``root_cause`` event and the status page's subscribers are told.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import markdown
import nh3
from django.conf import settings
from django.db import transaction

from helpline.accounts import access
from helpline.accounts import selectors as account_selectors
from helpline.accounts.models import User
from helpline.core import clock, display
from helpline.core.errors import InvalidInput, NotFound
from helpline.core.validation import has_nul
from helpline.monitoring import listeners
from helpline.monitoring.models import IncidentTicket, Outage, PlatformIncident, RootCauseReport
from helpline.outbox import services as outbox
from helpline.outbox.channels.email import payload as email_payload
from helpline.sla import business_time
from helpline.sla import selectors as sla_selectors
from helpline.sla.defaults import BUSINESS, BUSINESS_DAY
from helpline.tickets import events as kinds
from helpline.tickets import selectors as ticket_selectors
from helpline.tickets import services as tickets

DUE_BUSINESS_DAYS = 5
WARN_SHARE = 0.75
BODY_MAX = 50_000
TAGS = {"p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre"}
TAGS |= {"blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr"}


def report_url(report: RootCauseReport) -> str:
    return f"{settings.BASE_URL.rstrip('/')}/status/root-cause/{report.pk}/"


def _due(owed_at: datetime) -> tuple[datetime, datetime]:
    """(75 % instant, due date) on the business calendar of the current SLA policy."""
    cal = sla_selectors.business_calendar(sla_selectors.current_policy(), BUSINESS, owed_at)
    length = timedelta(minutes=BUSINESS_DAY * DUE_BUSINESS_DAYS)
    warn = business_time.add_business_time(cal, owed_at, length * WARN_SHARE)
    return warn, business_time.add_business_time(cal, owed_at, length)


def _owe(title: str, owed_at: datetime, **of: object) -> RootCauseReport:
    found = RootCauseReport.objects.filter(**of).first()
    if found is not None:
        return found
    warn, due = _due(owed_at)
    return RootCauseReport.objects.create(
        title=title[:200],
        owed_at=owed_at,
        warn_at=warn,
        due_at=due,
        notice_at=warn,
        owner_id=listeners.root_cause_owner(owed_at),
        **of,
    )


def owe_for_incident(incident: PlatformIncident, *, now: datetime) -> RootCauseReport:
    """The report a platform incident owes (owed from its opening; once)."""
    return _owe(incident.title, max(now, incident.started_at), incident=incident)


def owe_for_outage(outage: Outage) -> RootCauseReport | None:
    """The report an ended store outage owes, if it lasted long enough outside an incident."""
    if outage.ended_at is None or outage.incident_id is not None:
        return None
    minutes = (outage.ended_at - outage.started_at).total_seconds() / 60
    if minutes <= settings.ROOT_CAUSE_OUTAGE_MINUTES:
        return None
    title = f"Store outage: {outage.store.name}"
    return _owe(title, outage.ended_at, outage=outage)


def render(body: str) -> str:
    """Markdown to HTML a browser may show: only the tags above, links http(s)/mailto only."""
    html = markdown.markdown(body, extensions=["tables", "fenced_code"], output_format="html")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def _ticket_ids(report: RootCauseReport) -> set[int]:
    if report.incident_id is not None:
        rows = IncidentTicket.objects.filter(incident_id=report.incident_id)
        return set(rows.values_list("ticket_id", flat=True))
    outage = Outage.objects.filter(pk=report.outage_id or 0).values_list("ticket_id", flat=True)
    return {t for t in outage if t is not None}


def root_cause_publish(
    *, report: RootCauseReport, body: str, actor: User, now: datetime | None = None
) -> RootCauseReport:
    """Publish (or correct, once published) the report: agents and admins, or the report's
    owner; anyone else finds no such report."""
    now = now or clock.now()
    if not (access.sees_all_tickets(actor) or report.owner_id == getattr(actor, "pk", None)):
        raise NotFound("no such report")
    if not body.strip():
        raise InvalidInput("write the root cause before publishing it", code="empty_body")
    if len(body) > BODY_MAX or has_nul(body):
        raise InvalidInput(f"a report holds at most {BODY_MAX} characters", code="invalid_body")
    with transaction.atomic():
        report = RootCauseReport.objects.select_for_update().get(pk=report.pk)
        first = report.published_at is None
        report.body, report.html = body, render(body)
        if first:
            report.published_at, report.published_by, report.notice_at = now, actor, None
        report.save(update_fields=["body", "html", "published_at", "published_by", "notice_at"])
        if first:
            _tell_tickets(report, now)
            _tell_subscribers(report, now)
    return report


def _tell_tickets(report: RootCauseReport, now: datetime) -> None:
    url = report_url(report)
    for ticket in ticket_selectors.tickets_by_ids(_ticket_ids(report)):
        event = kinds.root_cause(report=report.pk, title=report.title, url=url)
        tickets.ticket_record(ticket=ticket, event=event, now=now)


def _tell_subscribers(report: RootCauseReport, now: datetime) -> None:
    store_id = None
    if report.outage_id is not None:
        store_id = Outage.objects.values_list("store_id", flat=True).get(pk=report.outage_id)
    listeners.status_changed(
        listeners.StatusChange(
            kind="root_cause",
            key=f"rc{report.pk}",
            title=report.title,
            detail="",
            at=now,
            now=now,
            store_id=store_id,
            link=report_url(report),
        )
    )


def root_cause_sweep(*, now: datetime, limit: int = 200) -> int:
    """Tell owners of reports at 75 % and at the breach; returns how many notices were due."""
    due = list(
        RootCauseReport.objects.filter(notice_at__lte=now, published_at__isnull=True)
        .select_related("owner")
        .order_by("notice_at")[:limit]
    )
    for report in due:
        with transaction.atomic():
            late = report.notice_at is not None and report.notice_at >= report.due_at
            claimed = RootCauseReport.objects.filter(
                pk=report.pk, notice_at=report.notice_at
            ).update(notice_at=None if late else report.due_at)
            if claimed:
                _notice(report, late=late, now=now)
    return len(due)


def _notice(report: RootCauseReport, *, late: bool, now: datetime) -> None:
    owner = report.owner
    people = [owner] if owner is not None and owner.is_active else account_selectors.admins()
    stage = "late" if late else "due"
    for person in people:
        zone = account_selectors.zone_for(person)
        due = display.when(report.due_at, zone)
        subject = (
            f"Root-cause report overdue: {report.title}"
            if late
            else f"Root-cause report due {due}: {report.title}"
        )
        body = (
            f"The root-cause report “{report.title}” was due {due} and is not published.\n"
            if late
            else f"The root-cause report “{report.title}” is due {due} (75 % of its time used).\n"
        ) + f"\nWrite it at {settings.BASE_URL.rstrip('/')}/console/root-causes/{report.pk}/\n"
        outbox.enqueue(
            channel="email",
            kind=f"root_cause_{stage}",
            recipient=person.email,
            payload=email_payload.plain(subject=subject[:250], body=body + email_payload.SIGNATURE),
            idempotency_key=f"rc{report.pk}.{stage}.u{person.pk}",
            now=now,
            recipient_user_id=person.pk,
        )
