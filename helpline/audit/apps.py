from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "helpline.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from helpline.audit import recorders

        recorders.connect()
