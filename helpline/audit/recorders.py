"""What is audited without any app calling the audit: changes to the configuration tables
(below), every sign-in, sign-out and failed sign-in (Django's auth signals). Exports are
recorded by ``audit.middleware``; personal-data requests by their services.

Model changes are heard through ``pre_save``/``post_save``/``post_delete``/``m2m_changed`` of
the tables named in ``AUDITED`` (decision 0182): every door (the admin, the API, the CLI, the
services, a shell) writes through ``save()``/``delete()``, and recording is not behaviour — it
changes nothing about the write. A queryset ``update()`` bypasses signals: the audited tables'
writers do not use it for the audited fields (the ignored ones are bookkeeping the worker moves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import signals as auth_signals
from django.db import models
from django.db.models import signals

from helpline.audit import chain, context

REDACTED = "[redacted]"


@dataclass(frozen=True)
class Audited:
    ignored: frozenset[str] = frozenset()  # bookkeeping moved by the system, not a change
    secret: frozenset[str] = frozenset()  # recorded as changed, never its value
    subject: str = ""  # the attribute naming the person an entry is about


_PROBE_STATE = frozenset(
    {
        "state",
        "fail_streak",
        "ok_streak",
        "first_failure_at",
        "recovery_at",
        "next_probe_at",
        "claimed_by",
        "last_probe_at",
        "last_error",
        "tls_expires_at",
    }
)

# Policy, holidays, roles (users), tokens, teams, webhooks, monitors, settings (routing,
# on-call, preferences, merchants' zones). Decision 0182.
AUDITED: dict[str, Audited] = {
    "sla.PolicyVersion": Audited(),
    "sla.Calendar": Audited(),
    "sla.CalendarInterval": Audited(),
    "sla.Holiday": Audited(),
    "sla.Priority": Audited(),
    "sla.Target": Audited(),
    "sla.EscalationStep": Audited(),
    "sla.IssueType": Audited(),
    "sla.Override": Audited(),
    "accounts.User": Audited(
        ignored=frozenset({"last_login"}), secret=frozenset({"password"}), subject="id"
    ),
    "accounts.Team": Audited(),
    "accounts.ApiToken": Audited(
        ignored=frozenset({"last_used_at"}), secret=frozenset({"digest"}), subject="user_id"
    ),
    "notify.WebhookEndpoint": Audited(secret=frozenset({"secret"})),
    "notify.OnCallShift": Audited(subject="user_id"),
    "notify.OnCallOverride": Audited(subject="user_id"),
    "notify.Preference": Audited(subject="user_id"),
    "monitoring.Monitor": Audited(ignored=_PROBE_STATE),
    "monitoring.MaintenanceWindow": Audited(),
    "routing.TeamRoute": Audited(),
    "routing.AgentProfile": Audited(
        ignored=frozenset({"last_assigned_at", "status_changed_at"}), subject="user_id"
    ),
    "routing.Shift": Audited(subject="user_id"),
    "routing.Leave": Audited(subject="user_id"),
    "merchants.Merchant": Audited(),
}

_models: dict[type[models.Model], Audited] = {}


@dataclass
class _Pending:
    before: dict[str, Any] = field(default_factory=dict)


def snapshot(instance: models.Model, rules: Audited) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if f.name in rules.ignored:
            continue
        value = getattr(instance, f.attname)
        values[f.attname] = REDACTED if f.name in rules.secret else chain.jsonable(value)
    return values


def _subject(instance: models.Model, rules: Audited) -> int | None:
    value = getattr(instance, rules.subject, None) if rules.subject else None
    return int(value) if value is not None else None


def _before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    rules = _models[sender]
    if instance._state.adding or instance.pk is None:
        return
    fields = kwargs.get("update_fields")
    if fields is not None and set(fields) <= rules.ignored:
        return  # bookkeeping only (a token's last use, a login's time): no query, no entry
    old = sender._default_manager.filter(pk=instance.pk).first()
    if old is None:
        return
    before = snapshot(old, rules)
    for name in rules.secret:  # a secret's value never leaves; whether it changed does
        f = sender._meta.get_field(name)
        if getattr(old, f.attname) != getattr(instance, f.attname):  # type: ignore[union-attr]
            before[f.attname] = REDACTED + " (old)"  # type: ignore[union-attr]
    instance.__dict__["_audit_before"] = before


def _after_save(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw"):  # fixtures loading
        return
    rules = _models[sender]
    fields = kwargs.get("update_fields")
    if not created and fields is not None and set(fields) <= rules.ignored:
        return
    after = snapshot(instance, rules)
    before = instance.__dict__.pop("_audit_before", None)
    if created or before is None:
        changed_before, changed_after = {}, after
        action = "create" if created else "change"
    else:
        keys = [k for k in after if before.get(k) != after[k]]
        if not keys:
            return
        changed_before = {k: before.get(k) for k in keys}
        changed_after = {k: after[k] for k in keys}
        action = "change"
    chain.record(
        action=action,
        object_type=sender._meta.label,
        object_id=instance.pk,
        before=changed_before,
        after=changed_after | {"_str": str(instance)},
        subject_id=_subject(instance, rules),
    )


def _after_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    rules = _models[sender]
    chain.record(
        action="delete",
        object_type=sender._meta.label,
        object_id=instance.pk,
        before=snapshot(instance, rules) | {"_str": str(instance)},
        subject_id=_subject(instance, rules),
    )


def _m2m(sender: Any, instance: models.Model, action: str, pk_set: Any, **kwargs: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    model = type(instance)
    if model not in _models:
        return  # the reverse side (a user's teams): recorded on the team
    relation = sender._meta.db_table
    chain.record(
        action="change",
        object_type=model._meta.label,
        object_id=instance.pk,
        after={"relation": relation, action[5:]: sorted(pk_set or [])},
    )


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    ip, agent = context.where(request)
    actor_id, label = context.person(user)
    who = context.Who(actor_id=actor_id, actor_label=label, ip=ip, user_agent=agent)
    chain.record(
        action="login", object_type="accounts.User", object_id=user.pk, who=who, subject_id=actor_id
    )


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    ip, agent = context.where(request)
    actor_id, label = context.person(user)
    who = context.Who(actor_id=actor_id, actor_label=label, ip=ip, user_agent=agent)
    chain.record(
        action="logout",
        object_type="accounts.User",
        object_id=user.pk,
        who=who,
        subject_id=actor_id,
    )


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    ip, agent = context.where(request)
    tried = str(credentials.get("email") or credentials.get("username") or "")[:254]
    who = context.Who(actor_id=None, actor_label="anonymous", ip=ip, user_agent=agent)
    chain.record(
        action="login_failed", object_type="accounts.User", after={"login": tried}, who=who
    )


def connect() -> None:
    """Called once, by ``AuditConfig.ready``; a table named here that does not exist stops
    start-up (``LookupError``)."""
    for label, rules in AUDITED.items():
        model = apps.get_model(label)
        _models[model] = rules
        uid = f"audit:{label}"
        signals.pre_save.connect(_before_save, sender=model, dispatch_uid=uid + ":pre")
        signals.post_save.connect(_after_save, sender=model, dispatch_uid=uid + ":post")
        signals.post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + ":del")
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            signals.m2m_changed.connect(_m2m, sender=through, dispatch_uid=f"{uid}:{m2m.name}")
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="audit:login")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="audit:logout")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="audit:login_failed")
