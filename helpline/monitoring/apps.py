from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "helpline.monitoring"
    label = "monitoring"
    verbose_name = "Store uptime"
