"""Inbound mail in the admin: read-only records; quarantined mail can be made a ticket or
discarded (actions calling the mail services)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from helpline.core.admin import ReadOnlyAdmin
from helpline.core.errors import HelplineError
from helpline.mail import quarantine
from helpline.mail.models import InboundMail, MessageId, Outcome


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "received_at",
        "status",
        "from_address",
        "sender_auth",
        "subject",
        "reason",
        "ticket",
    ]
    list_filter = ["status", "source", "sender_auth"]
    search_fields = ["from_address", "subject", "message_id"]
    exclude = ["raw", "html"]
    readonly_fields = ["raw_download"]
    actions = ["make_ticket", "discard"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundMail]:
        return super().get_queryset(request).defer("raw", "html")

    @admin.display(description="raw message")
    def raw_download(self, obj: InboundMail) -> str:
        size = f"{obj.raw_size:,} bytes"
        return size + (" (cleared after the retention days)" if obj.raw is None else "")

    @admin.action(description="Turn the selected quarantined mail into tickets")
    def make_ticket(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        for row in queryset.filter(status=Outcome.QUARANTINED):
            try:
                ticket = quarantine.quarantine_to_ticket(inbound_id=row.pk, actor=request.user)  # type: ignore[arg-type]
            except HelplineError as exc:
                self.message_user(request, f"{row.pk}: {exc.detail}", messages.ERROR)
            else:
                self.message_user(request, f"{row.pk}: ticket {ticket.reference}")

    @admin.action(description="Discard the selected quarantined mail")
    def discard(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        n = 0
        for row in queryset.filter(status=Outcome.QUARANTINED):
            quarantine.quarantine_discard(inbound_id=row.pk, actor=request.user)  # type: ignore[arg-type]
            n += 1
        self.message_user(request, f"{n} mail(s) discarded.")


@admin.register(MessageId)
class MessageIdAdmin(ReadOnlyAdmin):
    list_display = ["message_id", "ticket", "outbound", "created_at"]
    list_filter = ["outbound"]
    search_fields = ["message_id"]
