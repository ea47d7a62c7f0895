# The foreign keys' own indexes duplicate the first column of a composite index (decision 0080).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from helpline.core.migration_ops import drop_single_column_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("merchants", "0003_merge_0002_account_management_0002_contact"),
        ("tickets", "0004_merchant_open_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="master",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="linked",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="merchant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="merchants.merchant",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="store",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="merchants.store",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tickets",
                        to="accounts.team",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketclock",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clocks",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketevent",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticketmessage",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="tickets.ticket",
                    ),
                ),
            ],
            database_operations=[
                drop_single_column_indexes(
                    ("tickets_ticket", "assignee_id"),
                    ("tickets_ticket", "master_id"),
                    ("tickets_ticket", "merchant_id"),
                    ("tickets_ticket", "store_id"),
                    ("tickets_ticket", "team_id"),
                    ("tickets_ticketclock", "ticket_id"),
                    ("tickets_ticketevent", "ticket_id"),
                    ("tickets_ticketmessage", "ticket_id"),
                )
            ],
        ),
    ]
