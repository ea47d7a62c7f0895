from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "helpline.monitoring"
    label = "monitoring"
    verbose_name = "Store uptime"

    def ready(self) -> None:
        from helpline.monitoring import storm
        from helpline.tickets import listeners

        # Before notifications' listener (INSTALLED_APPS order): a C1 opened during a platform
        # incident is linked before anyone is told of it (storm.ticket_opened).
        listeners.register(storm.ticket_opened)
