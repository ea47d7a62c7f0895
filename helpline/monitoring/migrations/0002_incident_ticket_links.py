# Platform incidents link tickets through IncidentTicket (with when each was updated) and
# remember when the on-call was paged (issue 18, decision 0140).

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    """The incidents' tickets move to IncidentTicket; those of incidents already resolved count
    as updated (no update is posted on them now)."""
    incident_model = apps.get_model("monitoring", "PlatformIncident")
    link_model = apps.get_model("monitoring", "IncidentTicket")
    rows = []
    for incident in incident_model.objects.all():
        for ticket in incident.tickets.all():
            rows.append(
                link_model(
                    incident=incident,
                    ticket=ticket,
                    via=ticket.channel,
                    linked_at=incident.started_at,
                    updated_at=incident.resolved_at,
                )
            )
    link_model.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_store_uptime"),
        ("tickets", "0013_event_kinds_storm_and_personal_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="platformincident",
            name="paged_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="IncidentTicket",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("via", models.CharField(max_length=20)),
                ("linked_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField(blank=True, null=True)),
                (
                    "incident",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="monitoring.platformincident",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tickets.ticket",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["ticket"], name="incident_ticket_ticket"),
                    models.Index(
                        condition=models.Q(("updated_at__isnull", True)),
                        fields=["incident"],
                        name="incident_ticket_to_update",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("incident", "ticket"), name="incident_ticket_once"
                    )
                ],
            },
        ),
        migrations.RunPython(copy_links, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="platformincident",
            name="tickets",
        ),
    ]
