# The foreign keys' own indexes duplicate the first column of a composite index (decision 0080).

import django.db.models.deletion
from django.db import migrations, models

from helpline.core.migration_ops import drop_single_column_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_inbound_mail_and_message_ids"),
        ("tickets", "0004_merchant_open_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="messageid",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tickets.ticket",
                    ),
                ),
            ],
            database_operations=[drop_single_column_indexes(("mail_messageid", "ticket_id"))],
        ),
    ]
