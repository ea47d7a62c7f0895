from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "helpline.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
