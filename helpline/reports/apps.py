from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "helpline.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"
