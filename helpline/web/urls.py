"""The web pages: sign-in, the merchant support center (/support/), the console (/console/)."""

from django.urls import path

from helpline.web.views import (
    account_management,
    am,
    attachments,
    auth,
    console,
    knowledge,
    master_incidents,
    people,
    preferences,
    profile,
    reports,
    search,
    support,
    uptime,
)

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
    path("help/<slug:category>/<slug:slug>/", knowledge.article_page, name="article"),
    path("notifications/", preferences.page, name="preferences"),
    path("console/profile/", profile.page, name="profile"),
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
    path("status/", uptime.status_page, name="status"),
    path("uptime/", uptime.uptime_home, name="uptime"),
    path("uptime/<int:store_id>/", uptime.store_status, name="uptime-store"),
    path(
        "uptime/<int:store_id>/report/<int:year>-<int:month>/",
        uptime.monthly_report,
        name="uptime-report",
    ),
    path(
        "uptime/<int:store_id>/report/<int:year>-<int:month>.<str:fmt>",
        uptime.monthly_report,
        name="uptime-report-file",
    ),
    path("support/new/similar/", search.similar_panel, name="support-similar"),
    path(
        "support/new/article/<int:article_id>/",
        knowledge.suggestion_open,
        name="support-article-open",
    ),
    path(
        "support/new/article/<int:article_id>/solved/",
        knowledge.suggestion_solved,
        name="support-article-solved",
    ),
    path("console/knowledge/", knowledge.knowledge_page, name="console-knowledge"),
    path("console/t/<int:ticket_id>/article/", knowledge.draft_from_ticket, name="console-article"),
    path("reports/", reports.reports_page, name="reports"),
    path("reports/<str:name>/export/", reports.report_export, name="report-export"),
    path("search/", search.search_page, name="search"),
    path("console/", console.queue, name="console"),
    path("console/bulk/", console.bulk, name="console-bulk"),
    path("console/people/", people.panel, name="console-people"),
    path("console/people/status/", people.status_set, name="console-status"),
    path("console/views/", console.save_view, name="console-save-view"),
    path("console/views/<int:view_id>/delete/", console.delete_view, name="console-delete-view"),
    path("console/t/<int:ticket_id>/", console.ticket_page, name="console-ticket"),
    path("console/t/<int:ticket_id>/reply/", console.ticket_reply, name="console-reply"),
    path("console/t/<int:ticket_id>/assign/", console.ticket_assign, name="console-assign"),
    path("console/t/<int:ticket_id>/priority/", console.ticket_priority, name="console-priority"),
    path("console/t/<int:ticket_id>/due/", console.ticket_due, name="console-due"),
    path("console/t/<int:ticket_id>/action/", console.ticket_action, name="console-action"),
    path("attachments/<int:attachment_id>/", attachments.download, name="attachment"),
    # Account management, engineering, quotes.
    path("console/t/<int:ticket_id>/escalate/", am.escalate, name="console-escalate"),
    path("console/t/<int:ticket_id>/quote/", am.attach_quote, name="console-quote"),
    path("console/am/", am.home, name="am-home"),
    path("console/stores/<int:store_id>/", am.store_page, name="am-store"),
    path(
        "console/stores/<int:store_id>/sheet.<str:fmt>",
        am.store_sheet_export,
        name="am-sheet-export",
    ),
    path("console/stores/<int:store_id>/log/", am.store_log, name="am-log"),
    path(
        "console/stores/<int:store_id>/account-manager/",
        am.store_account_manager,
        name="am-assign",
    ),
    path("console/stores/<int:store_id>/raise/", am.store_raise, name="am-raise"),
    path("console/stores/<int:store_id>/note/<int:ticket_id>/", am.store_note, name="am-note"),
    path("console/dev/", am.dev_list, name="dev-list"),
    path("console/dev/<str:dev_id>/", am.dev_page, name="dev-page"),
    path("support/account/", account_management.account, name="support-account"),
    path(
        "support/stores/<int:store_id>/account-manager/",
        account_management.request_support,
        name="support-am-request",
    ),
    path(
        "support/stores/<int:store_id>/call/", account_management.request_call, name="support-call"
    ),
    path(
        "support/stores/<int:store_id>/sheet/", account_management.store_sheet, name="support-sheet"
    ),
    path(
        "support/stores/<int:store_id>/sheet.<str:fmt>",
        account_management.store_sheet_export,
        name="support-sheet-export",
    ),
    path("quotes/decide/<str:token>/", account_management.quote_link, name="quote-link"),
    path(
        "console/t/<int:ticket_id>/incident/",
        master_incidents.incident_action,
        name="console-incident",
    ),
]
