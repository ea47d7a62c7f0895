"""Account management's models moved to the ``account_management`` app.

State only: the tables stay where they are (the models keep their ``merchants_*`` table names),
so this changes no table; ``account_management``'s first migration takes the models over.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("merchants", "0003_merge_0002_account_management_0002_contact"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # The ones pointing at ContactLogEntry first.
                migrations.DeleteModel(name="AmTask"),
                migrations.DeleteModel(name="CallRequest"),
                migrations.DeleteModel(name="SheetNote"),
                migrations.DeleteModel(name="ContactLogEntry"),
            ],
            database_operations=[],
        ),
    ]
