from django.apps import AppConfig


class CsatConfig(AppConfig):
    name = "helpline.csat"
    label = "csat"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpline.csat import services
        from helpline.tickets import listeners

        listeners.register(services.ticket_events_written)
