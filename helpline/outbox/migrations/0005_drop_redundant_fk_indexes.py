# The foreign keys' own indexes duplicate the first column of a composite index (decision 0080).

import django.db.models.deletion
from django.db import migrations, models

from helpline.core.migration_ops import drop_single_column_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0004_preference_whatsapp_muted"),
        ("tickets", "0004_merchant_open_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="outbox",
                    name="ticket",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="tickets.ticket",
                    ),
                ),
            ],
            database_operations=[drop_single_column_indexes(("notify_outbox", "ticket_id"))],
        ),
    ]
