from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "helpline.privacy"
    label = "privacy"
    verbose_name = "Personal data"
