from django.apps import AppConfig


class AccountManagementConfig(AppConfig):
    name = "helpline.account_management"
    label = "account_management"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpline.account_management import services
        from helpline.tickets import listeners

        listeners.register(services.ticket_events_written)
