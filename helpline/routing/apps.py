from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "helpline.routing"
    label = "routing"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Ownership and routing"
