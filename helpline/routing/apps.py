from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "helpline.routing"
    label = "routing"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Ownership and routing"

    def ready(self) -> None:
        # Before notifications in INSTALLED_APPS: a new ticket has its owner before anybody is
        # told of it (the assignee hears of the assignment).
        from django.db.models.signals import post_save, pre_delete

        from helpline.accounts.models import User
        from helpline.routing import listeners
        from helpline.tickets import listeners as ticket_listeners

        ticket_listeners.register(listeners.ticket_events_written)
        post_save.connect(listeners.user_saved, sender=User, dispatch_uid="routing.user_saved")
        pre_delete.connect(
            listeners.user_deleting, sender=User, dispatch_uid="routing.user_deleting"
        )
