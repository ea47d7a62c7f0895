from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    """Who follows the status page (decision 0226): the platform's and each store's
    subscribers, told of every incident and outage change through the outbox."""

    name = "helpline.subscriptions"
    label = "subscriptions"
    verbose_name = "Status subscriptions"

    def ready(self) -> None:
        from helpline.mail import listeners as mail_listeners
        from helpline.monitoring import listeners as monitoring_listeners
        from helpline.subscriptions import owners, services

        monitoring_listeners.register_status(services.status_fanout)
        monitoring_listeners.register_owner_finder(owners.root_cause_owner)
        mail_listeners.register_bounce(services.bounces_count)
