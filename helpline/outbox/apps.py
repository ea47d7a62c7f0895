from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "helpline.outbox"
    # The app was called "notify" before the outbox and the notification rules were split:
    # the label names its tables (notify_outbox, …) and its migration history, so it stays
    # "notify" — a new label would mean renaming tables on every existing database.
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"
