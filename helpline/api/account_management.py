"""Account management: the merchant's account managers, call requests, the contact log
(logged, sent, meetings), the progress sheet and its exports, the account manager's notes, home
and tasks."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime

from helpline.account_management import selectors as am_selectors
from helpline.account_management import services as am_services
from helpline.account_management import support
from helpline.account_management.models import AmTask, CallRequest, ContactLogEntry
from helpline.accounts import access
from helpline.accounts.models import User
from helpline.accounts.selectors import zone_for
from helpline.api.auth import AUTH, user_of
from helpline.api.billing import SubscriptionOut
from helpline.api.schemas import Id, In, Instant, errors
from helpline.core import clock
from helpline.core.errors import Forbidden
from helpline.merchants import selectors as merchant_selectors
from helpline.reports import progress_sheet
from helpline.tickets import selectors as ticket_selectors

router = Router(tags=["account management"], auth=AUTH)


# ------------------------------------------------------------------ the merchant's dashboard


class ManagerOut(Schema):
    store: int
    store_name: str
    name: str = Field(..., description="Empty: the store has no account-manager support")
    team: str
    partner_team: bool
    email: str
    whatsapp: str
    phone: str
    platform_url: str = Field(..., description="Reach them in the platform: a call request")
    support_requested_at: AwareDatetime | None = Field(
        ..., description="No manager yet: when the merchant asked for one (pending)"
    )


@router.get("/account-managers", response={200: list[ManagerOut], **errors()})
def account_managers(request: HttpRequest) -> Any:
    """Each store's account manager and how to reach them (platform, email, WhatsApp)."""
    user = user_of(request)
    return [
        {
            "store": c.store.pk,
            "store_name": c.store.name,
            "name": str(c.manager) if c.manager else "",
            "team": c.team,
            "partner_team": c.partner,
            "email": c.email,
            "whatsapp": c.whatsapp,
            "phone": c.phone,
            "platform_url": f"/api/v1/stores/{c.store.pk}/call-requests",
            "support_requested_at": c.support_request.created_at if c.support_request else None,
        }
        for c in am_selectors.account_managers_for(user)
    ]


# ------------------------------------------------ account-manager support: asked for, assigned


class SupportRequestIn(In):
    note: str = Field("", max_length=support.NOTE_MAX)


class SupportRequestOut(Schema):
    id: int
    store: int
    requested_by: int | None
    note: str
    status: str = Field(..., description="pending, then assigned")
    created_at: AwareDatetime
    handled_at: AwareDatetime | None

    @staticmethod
    def resolve_store(obj: Any) -> int:
        return int(obj.store_id)

    @staticmethod
    def resolve_requested_by(obj: Any) -> int | None:
        return obj.requested_by_id


@router.post(
    "/stores/{store_id}/account-manager/requests",
    response={201: SupportRequestOut, **errors(403, 404, 409)},
)
def request_support(request: HttpRequest, store_id: int, payload: SupportRequestIn) -> Any:
    """A merchant user asks for account-manager support for the store (an add-on)."""
    user = user_of(request)
    store = merchant_selectors.store_get(user=user, store_id=store_id)
    return Status(
        201, support.support_request(actor=user, store=store, note=payload.note, now=clock.now())
    )


@router.get("/account-manager/requests", response={200: list[SupportRequestOut], **errors()})
def pending_support_requests(request: HttpRequest) -> Any:
    """Requests waiting for an account manager (admins; empty for everyone else)."""
    return am_selectors.support_requests_pending(user_of(request))


class AssignIn(In):
    account_manager: Id | None = Field(..., description="User id of an account manager; null: none")
    monthly_charge_inr: Decimal | None = Field(
        None,
        gt=0,
        max_digits=12,
        decimal_places=2,
        description="When the subscription starts (default: the standard charge)",
    )


class AssignmentOut(Schema):
    store: int
    account_manager: int | None
    subscription: SubscriptionOut | None = Field(..., description="Running (null: no manager)")
    ended: SubscriptionOut | None = Field(..., description="The subscription this change ended")


@router.put("/stores/{store_id}/account-manager", response={200: AssignmentOut, **errors(403, 404)})
def assign_account_manager(request: HttpRequest, store_id: int, payload: AssignIn) -> Any:
    """An admin assigns the store's account manager: the subscription starts today (the
    merchant's date), runs on when another takes over, and ends today when none is left."""
    user = user_of(request)
    store = merchant_selectors.store_get(user=user, store_id=store_id)
    done = support.account_manager_assign(
        actor=user,
        store=store,
        account_manager_id=payload.account_manager,
        monthly_charge_inr=payload.monthly_charge_inr,
        now=clock.now(),
    )
    return {
        "store": done.store.pk,
        "account_manager": done.store.account_manager_id,
        "subscription": done.subscription,
        "ended": done.ended,
    }


class CallRequestIn(In):
    preferred_times: str = Field(..., max_length=2000)
    topic: str = Field("", max_length=10_000)


class CallRequestOut(Schema):
    id: int
    store: int
    requested_by: int | None
    preferred_times: str
    topic: str
    status: str
    created_at: AwareDatetime
    handled_at: AwareDatetime | None
    entry: int | None

    @staticmethod
    def resolve_store(obj: CallRequest) -> int:
        return obj.store_id

    @staticmethod
    def resolve_requested_by(obj: CallRequest) -> int | None:
        return obj.requested_by_id

    @staticmethod
    def resolve_entry(obj: CallRequest) -> int | None:
        return obj.entry_id


@router.post(
    "/stores/{store_id}/call-requests", response={201: CallRequestOut, **errors(403, 404, 409)}
)
def request_call(request: HttpRequest, store_id: int, payload: CallRequestIn) -> Status[Any]:
    user = user_of(request)
    store = merchant_selectors.store_get(user=user, store_id=store_id)
    return Status(
        201,
        am_services.call_request_create(
            actor=user, store=store, preferred_times=payload.preferred_times, topic=payload.topic
        ),
    )


@router.get("/stores/{store_id}/call-requests", response={200: list[CallRequestOut], **errors(404)})
def list_call_requests(request: HttpRequest, store_id: int) -> Any:
    user = user_of(request)
    store = merchant_selectors.store_get(user=user, store_id=store_id)
    return am_selectors.call_requests(user=user, store=store)


class CallStatusIn(In):
    status: str = Field(..., max_length=10, description="scheduled, done or cancelled")


@router.post(
    "/call-requests/{request_id}/status", response={200: CallRequestOut, **errors(403, 404)}
)
def set_call_request_status(request: HttpRequest, request_id: int, payload: CallStatusIn) -> Any:
    user = user_of(request)
    found = am_selectors.call_request_get(user=user, request_id=request_id)
    return am_services.call_request_set_status(
        actor=user, call_request=found, status=payload.status
    )


# ------------------------------------------------------------------ the contact log


class EntryOut(Schema):
    id: int
    store: int
    channel: str
    happened_at: AwareDatetime
    ends_at: AwareDatetime | None
    link: str
    summary: str
    sent: bool
    recipients: list[str]
    author: int | None
    tickets: list[int]

    @staticmethod
    def resolve_store(obj: ContactLogEntry) -> int:
        return obj.store_id

    @staticmethod
    def resolve_author(obj: ContactLogEntry) -> int | None:
        return obj.author_id

    @staticmethod
    def resolve_tickets(obj: ContactLogEntry) -> list[int]:
        return [t.pk for t in obj.tickets.all()]


@router.get("/stores/{store_id}/contact-log", response={200: list[EntryOut], **errors(404)})
def contact_log(request: HttpRequest, store_id: int) -> Any:
    user = user_of(request)
    store = merchant_selectors.store_get(user=user, store_id=store_id)
    return am_selectors.contact_entries(user=user, store=store)


class LogIn(In):
    channel: str = Field(..., max_length=10, description="call, email, whatsapp, meeting, training")
    summary: str = Field(..., max_length=10_000)
    happened_at: Instant | None = Field(None, description="Default: now")
    tickets: list[Id] = Field(default_factory=list, max_length=50)
    call_request: Id | None = None


@router.post("/stores/{store_id}/contact-log", response={201: EntryOut, **errors(403, 404)})
def log_contact(request: HttpRequest, store_id: int, payload: LogIn) -> Status[Any]:
    """Log a contact that happened; linked tickets' "tell the merchant" tasks are done."""
    user = user_of(request)
    store = merchant_selectors.store_get(user=user, store_id=store_id)
    return Status(
        201,
        am_services.contact_log(
            actor=user,
            store=store,
            channel=payload.channel,
            summary=payload.summary,
            happened_at=payload.happened_at,
            ticket_ids=payload.tickets,
            call_request_id=payload.call_request,
        ),
    )


class SendIn(In):
    channel: str = Field(..., max_length=10, description="email or whatsapp")
    subject: str = Field("", max_length=200, description="email")
    body: str = Field(..., max_length=10_000)
    tickets: list[Id] = Field(default_factory=list, max_length=50)


@router.post(
    "/stores/{store_id}/contact-log/send", response={201: EntryOut, **errors(403, 404, 409)}
)
def send_contact(request: HttpRequest, store_id: int, payload: SendIn) -> Status[Any]:
    """Email or WhatsApp the merchant's users through the outbox; logged by itself."""
    user = user_of(request)
    store = merchant_selectors.store_get(user=user, store_id=store_id)
    return Status(
        201,
        am_services.contact_send(
            actor=user,
            store=store,
            channel=payload.channel,
            subject=payload.subject,
            body=payload.body,
            ticket_ids=payload.tickets,
        ),
    )


class MeetingIn(In):
    channel: str = Field("meeting", max_length=10, description="meeting or training")
    starts_at: Instant
    ends_at: Instant
    link: str = Field(..., max_length=500)
    summary: str = Field(..., max_length=2000)
    tickets: list[Id] = Field(default_factory=list, max_length=50)
    attendees: list[str] = Field(default_factory=list, max_length=20)
    call_request: Id | None = None


@router.post("/stores/{store_id}/meetings", response={201: EntryOut, **errors(403, 404, 409)})
def schedule_meeting(request: HttpRequest, store_id: int, payload: MeetingIn) -> Status[Any]:
    """A meeting or training session: logged, invitations (.ics) mailed through the outbox."""
    user = user_of(request)
    store = merchant_selectors.store_get(user=user, store_id=store_id)
    return Status(
        201,
        am_services.meeting_schedule(
            actor=user,
            store=store,
            channel=payload.channel,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            link=payload.link,
            summary=payload.summary,
            ticket_ids=payload.tickets,
            attendees=payload.attendees,
            call_request_id=payload.call_request,
        ),
    )


# ------------------------------------------------------------------ the progress sheet


class SheetRowOut(Schema):
    ticket: int
    reference: str
    subject: str
    opened: datetime
    priority: str
    status: str
    due: datetime | None
    last_update: datetime
    next_step: str
    owner: str
    note: str


class SheetOut(Schema):
    store: int
    store_name: str
    rows: list[SheetRowOut]


def _rows(request: HttpRequest, store_id: int) -> tuple[Any, list[Any]]:
    user = user_of(request)
    store = merchant_selectors.store_get(user=user, store_id=store_id)
    return store, progress_sheet.sheet_rows(user=user, store=store, now=clock.now())


@router.get("/stores/{store_id}/progress-sheet", response={200: SheetOut, **errors(404)})
def sheet(request: HttpRequest, store_id: int) -> Any:
    store, rows = _rows(request, store_id)
    return {
        "store": store.pk,
        "store_name": store.name,
        "rows": [{**r.__dict__, "ticket": r.ticket_id} for r in rows],
    }


@router.get("/stores/{store_id}/progress-sheet.csv", response={200: None, **errors(404)})
def sheet_csv(request: HttpRequest, store_id: int) -> HttpResponse:
    store, rows = _rows(request, store_id)
    zone = zone_for(user_of(request))
    response = HttpResponse(
        progress_sheet.to_csv(rows, zone), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="progress-{store.pk}.csv"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/stores/{store_id}/progress-sheet.xlsx", response={200: None, **errors(404)})
def sheet_xlsx(request: HttpRequest, store_id: int) -> HttpResponse:
    store, rows = _rows(request, store_id)
    zone = zone_for(user_of(request))
    response = HttpResponse(
        progress_sheet.to_xlsx(rows, zone, title=f"{store.name} progress"), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="progress-{store.pk}.xlsx"'
    return response


class NoteIn(In):
    note: str = Field(..., max_length=2000, description="Empty: remove the note")


class NoteOut(Schema):
    ticket: int
    note: str


@router.put("/tickets/{ticket_id}/sheet-note", response={200: NoteOut, **errors(403, 404)})
def set_note(request: HttpRequest, ticket_id: int, payload: NoteIn) -> Any:
    user = user_of(request)
    ticket = ticket_selectors.ticket_get(user=user, ticket_id=ticket_id)
    row = am_services.sheet_note_set(actor=user, ticket=ticket, note=payload.note)
    return {"ticket": ticket.pk, "note": row.note if row else ""}


# ------------------------------------------------------------------ the account manager's home


def _manager(request: HttpRequest) -> User:
    user = user_of(request)
    if not (access.is_account_manager(user) or access.is_admin(user)):
        raise Forbidden("the home of account managers", code="action_forbidden")
    return user


class TaskOut(Schema):
    id: int
    store: int
    ticket: int | None
    kind: str
    title: str
    created_at: AwareDatetime
    done_at: AwareDatetime | None
    entry: int | None

    @staticmethod
    def resolve_store(obj: AmTask) -> int:
        return obj.store_id

    @staticmethod
    def resolve_ticket(obj: AmTask) -> int | None:
        return obj.ticket_id

    @staticmethod
    def resolve_entry(obj: AmTask) -> int | None:
        return obj.entry_id


class HomeTicketOut(Schema):
    id: int
    reference: str
    store: int
    subject: str
    priority: str
    status: str
    due_at: AwareDatetime | None
    breached: bool


class HomeOut(Schema):
    stores: list[int]
    open_tickets: list[HomeTicketOut]
    breaches: list[int]
    engineering: list[str]
    upcoming: list[EntryOut]
    call_requests: list[CallRequestOut]
    tasks: list[TaskOut]


@router.get("/account-manager/home", response={200: HomeOut, **errors(403)})
def home(request: HttpRequest) -> Any:
    """My stores, open tickets by priority with due dates, breaches, work in engineering,
    upcoming calls and training sessions, call requests and tasks."""
    user = _manager(request)
    data = am_selectors.am_home(user=user, now=clock.now())
    return {
        "stores": [s.pk for s in data.stores],
        "open_tickets": [
            {
                "id": t.pk,
                "reference": t.reference,
                "store": t.store_id,
                "subject": t.subject,
                "priority": t.priority,
                "status": t.status,
                "due_at": t.due_at,
                "breached": bool(getattr(t, "breached", False)),
            }
            for t in data.open_tickets
        ],
        "breaches": [t.pk for t in data.breaches],
        "engineering": [d.reference for d in data.engineering],
        "upcoming": data.upcoming,
        "call_requests": data.call_requests,
        "tasks": data.tasks,
    }


@router.get("/account-manager/tasks", response={200: list[TaskOut], **errors(403)})
def tasks(request: HttpRequest) -> Any:
    return am_selectors.tasks_for(user=_manager(request))


class TaskDoneIn(In):
    entry: Id = Field(..., description="The contact log entry that did it")


@router.post(
    "/account-manager/tasks/{task_id}/done", response={200: TaskOut, **errors(403, 404, 409)}
)
def task_done(request: HttpRequest, task_id: int, payload: TaskDoneIn) -> Any:
    user = user_of(request)
    task = am_selectors.task_get(user=user, task_id=task_id)
    return am_services.am_task_close(actor=user, task=task, entry_id=payload.entry)
