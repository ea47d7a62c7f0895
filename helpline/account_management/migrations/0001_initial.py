"""Account management's models, taken over from ``merchants`` (its 0004 let them go).

State only: the tables were created by ``merchants`` and keep their names (each model's
``db_table``), so this migration changes no table, on a new database or an existing one. The
models' content types (rows, not tables) follow them to the new app label, so their permissions
keep their ids; on a new database there are none yet and nothing is updated.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["amtask", "callrequest", "contactlogentry", "sheetnote"]


def _relabel(apps: Any, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model__in=MODELS).update(app_label=new)


def content_types_forward(apps: Any, schema_editor: Any) -> None:
    _relabel(apps, "merchants", "account_management")


def content_types_backward(apps: Any, schema_editor: Any) -> None:
    _relabel(apps, "account_management", "merchants")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("merchants", "0004_account_management_moved_out"),
        ("tickets", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ContactLogEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("call", "Call"),
                                    ("email", "Email"),
                                    ("whatsapp", "WhatsApp"),
                                    ("meeting", "Meeting"),
                                    ("training", "Training session"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "happened_at",
                            models.DateTimeField(
                                help_text="When it happened (a meeting: when it starts)"
                            ),
                        ),
                        ("summary", models.TextField()),
                        ("sent", models.BooleanField(default=False)),
                        ("recipients", models.JSONField(blank=True, default=list)),
                        ("ends_at", models.DateTimeField(blank=True, null=True)),
                        ("link", models.URLField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField()),
                        (
                            "author",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "merchant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="merchants.merchant",
                            ),
                        ),
                        (
                            "store",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="merchants.store",
                            ),
                        ),
                        (
                            "tickets",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="tickets.ticket"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "contact log entries",
                        "db_table": "merchants_contactlogentry",
                    },
                ),
                migrations.CreateModel(
                    name="CallRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "preferred_times",
                            models.TextField(help_text="When the merchant would like the call"),
                        ),
                        ("topic", models.TextField(blank=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("scheduled", "Scheduled"),
                                    ("done", "Done"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        ("created_at", models.DateTimeField()),
                        ("handled_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "requested_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "store",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="merchants.store",
                            ),
                        ),
                        (
                            "entry",
                            models.ForeignKey(
                                blank=True,
                                help_text="The call or meeting logged for it",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="account_management.contactlogentry",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "merchants_callrequest",
                    },
                ),
                migrations.CreateModel(
                    name="AmTask",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("tell_merchant", "Tell the merchant")], max_length=20
                            ),
                        ),
                        ("title", models.CharField(max_length=300)),
                        ("created_at", models.DateTimeField()),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "done_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "store",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="merchants.store",
                            ),
                        ),
                        (
                            "ticket",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="tickets.ticket",
                            ),
                        ),
                        (
                            "entry",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="account_management.contactlogentry",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "merchants_amtask",
                    },
                ),
                migrations.CreateModel(
                    name="SheetNote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("note", models.TextField()),
                        ("updated_at", models.DateTimeField()),
                        (
                            "ticket",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sheet_note",
                                to="tickets.ticket",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "merchants_sheetnote",
                    },
                ),
                migrations.AddIndex(
                    model_name="contactlogentry",
                    index=models.Index(fields=["store", "-happened_at"], name="contact_store_when"),
                ),
                migrations.AddConstraint(
                    model_name="contactlogentry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("channel__in", ["call", "email", "whatsapp", "meeting", "training"])
                        ),
                        name="contact_channel_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="contactlogentry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("channel__in", ["meeting", "training"]), _negated=True),
                            ("ends_at__gt", models.F("happened_at")),
                            _connector="OR",
                        ),
                        name="contact_meeting_has_end",
                    ),
                ),
                migrations.AddIndex(
                    model_name="callrequest",
                    index=models.Index(
                        fields=["store", "status", "-id"], name="callreq_store_status"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="callrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["open", "scheduled", "done", "cancelled"])
                        ),
                        name="callreq_status_valid",
                    ),
                ),
                migrations.AddIndex(
                    model_name="amtask",
                    index=models.Index(fields=["store", "done_at"], name="amtask_store_done"),
                ),
                migrations.AddConstraint(
                    model_name="amtask",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("done_at__isnull", True)),
                        fields=("ticket", "kind"),
                        name="amtask_one_open_per_ticket_kind",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
