from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "helpline.knowledge"
    label = "knowledge"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Knowledge base"
