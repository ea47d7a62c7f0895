"""Load docs/policy.md's defaults (calendars, holidays from the previous year through two ahead,
priorities, targets, issue types, overrides) and publish policy version 1."""

from datetime import UTC, datetime

from django.db import migrations


def seed(apps, schema_editor):
    from helpline.sla.services import seed_defaults

    class Models:
        Calendar = apps.get_model("sla", "Calendar")
        CalendarInterval = apps.get_model("sla", "CalendarInterval")
        Holiday = apps.get_model("sla", "Holiday")
        HolidayYear = apps.get_model("sla", "HolidayYear")
        Priority = apps.get_model("sla", "Priority")
        Target = apps.get_model("sla", "Target")
        IssueType = apps.get_model("sla", "IssueType")
        Override = apps.get_model("sla", "Override")
        PolicyVersion = apps.get_model("sla", "PolicyVersion")

    if Models.PolicyVersion.objects.exists():
        return
    seed_defaults(Models, now=datetime.now(UTC))


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
