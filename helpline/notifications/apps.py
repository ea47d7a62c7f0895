from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Who is told what: the rules that turn ticket events into outbox rows. No models (the
    preferences and the on-call rota are data of the outbox app)."""

    name = "helpline.notifications"
    label = "notifications"

    def ready(self) -> None:
        from helpline.mail import listeners as mail_listeners
        from helpline.monitoring import listeners as monitoring_listeners
        from helpline.notifications import acknowledgement, conditions, paging, services
        from helpline.outbox import delivery
        from helpline.tickets import listeners

        listeners.register(services.ticket_events_written)
        mail_listeners.register(acknowledgement.mail_ticket_opened)
        mail_listeners.register_pager(paging.unverified_c1)
        monitoring_listeners.register_pager(paging.platform_incident)
        delivery.register_condition("unless_answered", conditions.answered)
