"""The web pages: sign-in, the merchant support center (/support/), the console (/console/)."""

from django.urls import path

from helpline.web.views import auth, console, preferences, support

app_name = "web"

urlpatterns = [
    path("", auth.home, name="home"),
    path("accounts/login/", auth.sign_in, name="login"),
    path("accounts/logout/", auth.sign_out, name="logout"),
    path("accounts/password-reset/", auth.password_reset, name="password_reset"),
    path("accounts/password-reset/sent/", auth.password_reset_done, name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth.password_reset_complete, name="password_reset_complete"),
    path("help/", support.help_page, name="help"),
    path("notifications/", preferences.page, name="preferences"),
    path("support/", support.my_tickets, name="support"),
    path("support/new/", support.new_ticket, name="support-new"),
    path("support/new/preview/", support.new_ticket_preview, name="support-preview"),
    path("support/t/<int:ticket_id>/", support.ticket_page, name="support-ticket"),
    path("support/t/<int:ticket_id>/reply/", support.ticket_reply, name="support-reply"),
    path(
        "support/t/<int:ticket_id>/<str:action>/",
        support.ticket_action,
        name="support-action",
    ),
    path("console/", console.queue, name="console"),
    path("console/bulk/", console.bulk, name="console-bulk"),
    path("console/views/", console.save_view, name="console-save-view"),
    path("console/t/<int:ticket_id>/", console.ticket_page, name="console-ticket"),
    path("console/t/<int:ticket_id>/reply/", console.ticket_reply, name="console-reply"),
    path("console/t/<int:ticket_id>/assign/", console.ticket_assign, name="console-assign"),
    path("console/t/<int:ticket_id>/priority/", console.ticket_priority, name="console-priority"),
    path("console/t/<int:ticket_id>/due/", console.ticket_due, name="console-due"),
    path("console/t/<int:ticket_id>/action/", console.ticket_action, name="console-action"),
]
