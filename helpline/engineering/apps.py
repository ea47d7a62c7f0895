from django.apps import AppConfig


class EngineeringConfig(AppConfig):
    name = "helpline.engineering"
    label = "engineering"
    default_auto_field = "django.db.models.BigAutoField"
