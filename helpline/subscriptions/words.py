"""The words of a status notice, a confirmation and the pages' answers, for one reader
(their zone; Django's gettext, so the languages issue can translate them). Payloads for the
outbox's channels are built here from plain values."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from django.utils.translation import gettext as _

from helpline.core import display
from helpline.core.display import ZoneLike
from helpline.monitoring.listeners import StatusChange
from helpline.outbox.channels.email.payload import SIGNATURE

WHATSAPP_TEMPLATE = "helpline_status_update"  # approved template: "{{1}}: {{2}}"


def headline(change: StatusChange) -> str:
    """What happened, in a line (the mail's subject, the WhatsApp template's second value)."""
    words = {
        "incident_opened": _("Incident: %(title)s"),
        "incident_updated": _("Update on the incident: %(title)s"),
        "incident_resolved": _("Resolved: %(title)s"),
        "root_cause": _("Root-cause report published: %(title)s"),
        "outage_started": _("Your store %(title)s is unreachable"),
        "outage_ended": _("Your store %(title)s is reachable again"),
    }
    return words.get(change.kind, _("Status update: %(title)s")) % {"title": change.title}


def _when(change: StatusChange, zone: ZoneLike) -> str:
    at = display.when(change.at, zone)
    words = {
        "incident_opened": _("Since %(at)s."),
        "incident_resolved": _("Resolved at %(at)s."),
        "outage_started": _("Since %(at)s, as seen by the store monitor."),
        "outage_ended": _("Reachable again since %(at)s."),
    }
    return words.get(change.kind, _("At %(at)s.")) % {"at": at}


def text(change: StatusChange, zone: ZoneLike) -> str:
    lines = [headline(change), "", _when(change, zone)]
    if change.detail:
        lines += ["", change.detail]
    if change.link:
        lines += ["", _("Read it: %(url)s") % {"url": change.link}]
    return "\n".join(lines)


@dataclass(frozen=True)
class Notice:
    """The words of one change, built once (gettext runs per change, not per subscriber);
    ``email`` and ``whatsapp`` only put each subscriber's own unsubscribe link in."""

    subject: str
    body: str
    status: str
    unsubscribe_line: str  # with %(url)s
    whatsapp_stop: str  # with %(url)s
    template_params: tuple[str, str]

    def email(self, unsubscribe: str) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "body": self.body + self.unsubscribe_line % {"url": unsubscribe} + self.status,
            "message_id": make_msgid(domain="helpline"),
            "list_unsubscribe": unsubscribe,
        }

    def whatsapp(self, text: str, unsubscribe: str) -> dict[str, Any]:
        return {
            "text": f"{text}\n\n" + self.whatsapp_stop % {"url": unsubscribe},
            "template": {
                "name": WHATSAPP_TEMPLATE,
                "language": "en",
                "params": list(self.template_params),
            },
        }


def notice(change: StatusChange, body: str, *, status: str) -> Notice:
    """The words of ``change`` around ``body`` (its text in the reader's zone)."""
    head = headline(change)
    return Notice(
        subject=head[:250],
        body=body + "\n\n" + _("Status and history: %(url)s") % {"url": status} + "\n",
        status=f"\n\n{SIGNATURE}",
        unsubscribe_line=_("Stop these updates (one click): %(url)s"),
        whatsapp_stop=_("Stop these updates: %(url)s"),
        template_params=(_("Helpline status"), head),
    )


def confirmation(url: str) -> tuple[str, str]:
    """(subject, body) of the double opt-in's mail."""
    subject = _("Confirm your subscription to the platform status")
    body = "\n".join(
        [
            _("Someone (we hope you) asked to receive the platform's status updates here."),
            "",
            _("Confirm: %(url)s") % {"url": url},
            "",
            _("If it was not you, ignore this mail: nothing will be sent."),
            "",
            SIGNATURE,
        ]
    )
    return subject, body
