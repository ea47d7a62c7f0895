"""Forms: they validate and convert what a browser sends; the services decide the rest."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import QueryDict
from django.template import loader

from helpline.accounts import services as accounts
from helpline.accounts.models import User
from helpline.core import limits
from helpline.outbox import services as outbox
from helpline.sla.policy import Policy

MAX_SUBJECT = 200
# A ticket's description as typed in the portal (a log or a mail pasted in fits; a longer text
# is an attachment). Below the request's DATA_UPLOAD_MAX_MEMORY_SIZE, so a form this long is
# still read and answered with a field error that keeps the text.
MAX_DESCRIPTION = 100_000


class NewTicketForm(forms.Form):
    """No issue type and no priority are chosen for the merchant: a default invites a false C1
    ("Store is down" at night); they choose both, and a form sent without them says so."""

    store = forms.TypedChoiceField(coerce=int, label="Store")
    issue_type = forms.ChoiceField(
        label="Issue type", error_messages={"required": "Choose the issue type."}
    )
    priority = forms.ChoiceField(
        label="Priority", error_messages={"required": "Choose a priority."}
    )
    subject = forms.CharField(max_length=MAX_SUBJECT, label="Subject")
    description = forms.CharField(
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Description",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, stores: list[Any], policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["store"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [(s.pk, s.name) for s in stores]
        issue = self.fields["issue_type"]
        assert isinstance(issue, forms.ChoiceField)  # noqa: S101
        issue.choices = [("", "Choose the issue type…")] + [
            (slug, spec.name) for slug, spec in policy.issue_types.items() if spec.active
        ]
        prio = self.fields["priority"]
        assert isinstance(prio, forms.ChoiceField)  # noqa: S101
        prio.choices = [("", "Choose a priority…")] + [
            (code, f"{code} — {policy.priorities[code].name}") for code in policy.priority_codes()
        ]
        for name in ("subject", "description"):
            # Not ``maxlength``: a browser cuts a longer paste short without a word. The page
            # (app.js) says what is too long before sending; the form says it again.
            attrs = self.fields[name].widget.attrs
            attrs["data-maxlength"] = attrs.pop("maxlength")


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Message")
    internal = forms.BooleanField(required=False, label="Internal note (not shown to merchant)")
    question = forms.BooleanField(required=False, label="Ask the merchant (waits on their answer)")


class CloseForm(forms.Form):
    rating = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "No rating"), *[(str(i), f"{i} of 5") for i in range(5, 0, -1)]],
        label="How satisfied are you?",
    )
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Comment"
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=1000, label="Reason")


class ActionForm(ReasonForm):
    action = forms.CharField(max_length=40)
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PriorityForm(forms.Form):
    """Priority and issue type (mail tickets arrive as `functionality` until triaged)."""

    priority = forms.ChoiceField(label="Priority")
    issue_type = forms.ChoiceField(label="Issue type", required=False)
    reason = forms.CharField(max_length=1000, label="Reason")

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        prio, kind = self.fields["priority"], self.fields["issue_type"]
        assert isinstance(prio, forms.ChoiceField) and isinstance(kind, forms.ChoiceField)  # noqa: S101
        prio.choices = [(c, c) for c in policy.priority_codes()]
        kind.choices = [("", "(unchanged)")] + [
            (slug, spec.name) for slug, spec in policy.issue_types.items() if spec.active
        ]


class DueForm(forms.Form):
    due_at = forms.DateTimeField(
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(max_length=1000, label="Reason")

    def due_in(self, zone: ZoneInfo) -> datetime:
        """The local time typed, read in the viewer's zone (validate under
        ``timezone.override(zone)``, which is how Django reads a naive input)."""
        value: datetime = self.cleaned_data["due_at"]
        return value.replace(tzinfo=zone) if value.tzinfo is None else value


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [("", "Nobody"), *[(u.pk, str(u)) for u in staff]]


class BulkForm(forms.Form):
    tickets = forms.TypedMultipleChoiceField(coerce=int)
    do = forms.ChoiceField(choices=[("assign", "assign"), ("transition", "transition")])
    assignee = forms.CharField(required=False)
    action = forms.CharField(required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tickets"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        # Any id: the services answer 404 for the ones the caller may not see.
        raw = self.data.getlist("tickets") if isinstance(self.data, QueryDict) else []
        field.choices = [(v, v) for v in raw]


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the mail goes through the outbox (a side effect like any other:
    retried, never lost when the mail server is down, never sent inside the request); its link
    points at ``HELPLINE_BASE_URL``, never at the Host header the request came with; and one
    address gets at most ``limits.RESET_ACCOUNT`` mails (the page says "sent" either way)."""

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        base = urlsplit(settings.BASE_URL)
        kwargs["domain_override"] = base.netloc + base.path.rstrip("/")
        kwargs["use_https"] = base.scheme == "https"
        super().save(**kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        if not limits.hit(limits.RESET_ACCOUNT, to_email).allowed:
            return
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        outbox.email_enqueue(
            recipient=to_email,
            subject=subject,
            body=body,
            kind="password_reset",
            idempotency_key=f"pwreset.{secrets.token_hex(12)}",
        )


class RevokingSetPasswordForm(SetPasswordForm):
    """The new password of a reset: the account's sessions end, its API tokens are revoked
    (by the setting HELPLINE_RESET_REVOKES_TOKENS)."""

    user: User

    def save(self, commit: bool = True) -> Any:
        accounts.password_reset_set(
            user=self.user,
            password=self.cleaned_data["new_password1"],
            revoke_tokens=settings.RESET_REVOKES_TOKENS,
        )
        return self.user
