from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "helpline.notify"
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"
