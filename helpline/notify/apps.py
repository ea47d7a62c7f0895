from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "helpline.notify"
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpline.notify import services
        from helpline.tickets import listeners

        listeners.register(services.ticket_events_written)
