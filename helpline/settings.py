"""Helpline settings: everything that varies comes from the environment (HELPLINE_*, DATABASE_URL).

A bad value stops start-up with one line naming the variable; see ``helpline.core.config``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from helpline.core import config, storage

try:
    DATA_DIR = config.data_dir(os.environ)
    SECRET_KEY = config.secret_key(os.environ, DATA_DIR)
    TIME_ZONE_DISPLAY = config.time_zone(os.environ)
    ALLOWED_HOSTS = config.allowed_hosts(os.environ)
    DEBUG = config.boolean(os.environ, "HELPLINE_DEBUG", False)
    DATABASES = {"default": config.database(os.environ, DATA_DIR)}
    # Attachments: the data directory, or an S3 bucket (helpline.core.storage; decision 0154).
    STORAGE_S3 = storage.storage_url(os.environ)
    # The outbox and notifications: outgoing mail, WhatsApp Cloud API, outbound HTTP.
    _EMAIL = config.email_url(os.environ, DATA_DIR)
    SUPPORT_ADDRESS = config.email_address(
        os.environ, "HELPLINE_SUPPORT_ADDRESS", "Helpline <support@helpline.invalid>"
    )
    HELPLINE_HTTP_ALLOW_PRIVATE = config.boolean(os.environ, "HELPLINE_HTTP_ALLOW_PRIVATE", False)
    WHATSAPP_API_URL = config.http_url(
        os.environ, "HELPLINE_WHATSAPP_API_URL", "https://graph.facebook.com/v21.0"
    )
    WHATSAPP_PHONE_NUMBER_ID = config.text(os.environ, "HELPLINE_WHATSAPP_PHONE_NUMBER_ID")
    WHATSAPP_TOKEN = config.text(os.environ, "HELPLINE_WHATSAPP_TOKEN")
    # Inbound WhatsApp (Meta's webhook): the subscription's verify token, and the app secret
    # that signs each POST (X-Hub-Signature-256). Unset: the webhook refuses everything.
    WHATSAPP_VERIFY_TOKEN = config.text(os.environ, "HELPLINE_WHATSAPP_VERIFY_TOKEN")
    WHATSAPP_APP_SECRET = config.text(os.environ, "HELPLINE_WHATSAPP_APP_SECRET")
    TICKET_AUTOCLOSE_DAYS = config.positive_int(os.environ, "HELPLINE_AUTOCLOSE_DAYS", 7)
    NOTIFY_MAX_ATTEMPTS = config.positive_int(os.environ, "HELPLINE_NOTIFY_MAX_ATTEMPTS", 8)
    # Mail in (helpline.mail; decisions 0015–0019).
    MAIL_MAX_BYTES = config.positive_int(os.environ, "HELPLINE_MAIL_MAX_BYTES", 30 * 1024 * 1024)
    # Retention (issue 21, decision 0183): raw mail's bytes are cleared after these days
    # (HELPLINE_MAIL_RETENTION_DAYS, its older name, still read); a closed ticket's content
    # (subject, description, messages' text, files) is removed after these days, 0: kept.
    MAIL_RAW_RETENTION_DAYS = config.positive_int(
        os.environ,
        "HELPLINE_RETENTION_RAW_MAIL_DAYS",
        config.positive_int(os.environ, "HELPLINE_MAIL_RETENTION_DAYS", 90),
    )
    RETENTION_CLOSED_TICKET_DAYS = config.non_negative_int(
        os.environ, "HELPLINE_RETENTION_CLOSED_TICKET_DAYS", 0
    )
    MAIL_UNKNOWN_SENDERS = config.choice(
        os.environ, "HELPLINE_MAIL_UNKNOWN_SENDERS", ("triage", "quarantine"), "triage"
    )
    MAIL_ACKS_PER_SENDER_PER_HOUR = config.positive_int(
        os.environ, "HELPLINE_MAIL_ACKS_PER_HOUR", 5
    )
    # C1 acknowledgements have their own hourly cap per sender, beside the general one.
    MAIL_C1_ACKS_PER_SENDER_PER_HOUR = config.positive_int(
        os.environ, "HELPLINE_MAIL_C1_ACKS_PER_HOUR", 20
    )
    MAIL_INBOUND_SECRET = config.text(os.environ, "HELPLINE_MAIL_INBOUND_SECRET")
    # Rate limits other than core.limits' defaults, by name (decision 0126).
    RATE_LIMITS = config.numbers(os.environ, "HELPLINE_RATE_LIMITS")
    # Sender authentication (helpline.mail.senderauth, decision 0168): "require" posts mail as a
    # contact only when DKIM/DMARC prove the From domain; "dmarc" refuses only a failure; "off"
    # trusts the From header. Authentication-Results count only from these authserv-ids.
    MAIL_SENDER_AUTH = config.choice(
        os.environ, "HELPLINE_MAIL_SENDER_AUTH", ("require", "dmarc", "off"), "require"
    )
    MAIL_AUTHSERV_IDS = config.words(os.environ, "HELPLINE_MAIL_AUTHSERV_IDS")
    MAIL_DNS_SERVERS = config.text(os.environ, "HELPLINE_MAIL_DNS_SERVERS")
    MAIL_DNS_TIMEOUT = config.positive_int(os.environ, "HELPLINE_MAIL_DNS_TIMEOUT", 5)
    MAIL_IMAP_URL = config.text(os.environ, "HELPLINE_IMAP_URL")
    # Where a message goes once its ticket or reply is committed ("" = it stays, flagged seen).
    MAIL_IMAP_DONE_FOLDER = config.text(os.environ, "HELPLINE_IMAP_DONE_FOLDER")
    ATTACHMENT_MAX_BYTES = config.positive_int(
        os.environ, "HELPLINE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024
    )
    ATTACHMENT_MAX_COUNT = config.positive_int(os.environ, "HELPLINE_ATTACHMENT_MAX_COUNT", 20)
    # Programs and scripts a click would run are refused, named in the reply (decision 0217);
    # "none" accepts every type.
    ATTACHMENT_REFUSED_TYPES = config.extensions(
        os.environ,
        "HELPLINE_REFUSED_UPLOAD_TYPES",
        "exe bat cmd com scr pif js jse vbs vbe wsf wsh hta ps1 psm1 msi msp dll cpl jar "
        "lnk reg app apk",
    )
    # The web server's front door (helpline.core.door, decision 0147): Django's threads per
    # process, and the largest request body — checked from Content-Length before any of it is
    # read — for a caller with credentials and for one without (the sign-in form, the status
    # page, password reset). Inbound mail over the HTTP endpoint must fit the first.
    WEB_THREADS = config.positive_int(os.environ, "HELPLINE_WEB_THREADS", 4)
    # How long /status/ may be shared from the serving process's cache (decision 0191).
    STATUS_CACHE_SECONDS = config.positive_int(os.environ, "HELPLINE_STATUS_CACHE_SECONDS", 5)
    MAX_BODY_BYTES = config.positive_int(
        os.environ, "HELPLINE_MAX_BODY_BYTES", max(64 * 1024 * 1024, MAIL_MAX_BYTES + 1024 * 1024)
    )
    ANONYMOUS_MAX_BODY_BYTES = config.positive_int(
        os.environ, "HELPLINE_ANONYMOUS_MAX_BODY_BYTES", 1024 * 1024
    )
    # Store uptime (helpline.monitoring): loopback only for local test servers; a control URL
    # (a page of ours) whose failure marks a probe round as Helpline's own trouble.
    MONITOR_ALLOW_LOOPBACK = config.boolean(os.environ, "HELPLINE_MONITOR_ALLOW_LOOPBACK", False)
    MONITOR_CONTROL_URL = config.text(os.environ, "HELPLINE_MONITOR_CONTROL_URL")
    # A storm (helpline.monitoring.storm): at least this many stores, and this percentage of
    # the watched ones, with outages confirmed within the window open one platform incident.
    MONITOR_INCIDENT_MIN_STORES = config.positive_int(os.environ, "HELPLINE_STORM_MIN_STORES", 3)
    MONITOR_INCIDENT_SHARE = config.percent(os.environ, "HELPLINE_STORM_PERCENT", 20)
    MONITOR_INCIDENT_WINDOW_MINUTES = config.positive_int(
        os.environ, "HELPLINE_STORM_WINDOW_MINUTES", 10
    )
    # The on-call's page for one store down waits this long, and is dropped if a storm's
    # platform incident took the ticket by then (it pages once for all).
    MONITOR_PAGE_HOLD_SECONDS = config.positive_int(
        os.environ, "HELPLINE_STORM_PAGE_HOLD_SECONDS", 60
    )
    # Root-cause reports (helpline.monitoring.root_cause, decision 0229): who owns a new one
    # ("on-call": whoever is on call when it opens; "lead": the team leads; or an address).
    ROOT_CAUSE_OWNER = config.text(os.environ, "HELPLINE_ROOT_CAUSE_OWNER") or "on-call"
    # A store outage longer than this gets a root-cause report too.
    ROOT_CAUSE_OUTAGE_MINUTES = config.positive_int(
        os.environ, "HELPLINE_ROOT_CAUSE_OUTAGE_MINUTES", 15
    )
    # Status subscriptions (helpline.subscriptions, decision 0226): bounces that drop an address.
    STATUS_BOUNCES_DROP = config.positive_int(os.environ, "HELPLINE_STATUS_BOUNCES_DROP", 3)
    # Where people reach the web pages (links in mail, e.g. a quote's signed approval link).
    BASE_URL = config.http_url(os.environ, "HELPLINE_BASE_URL", "http://localhost:8000")
    # Served over HTTPS (HELPLINE_HTTPS=1, or a base URL that is https): the session and CSRF
    # cookies only travel over TLS. A request that arrives over TLS gets Secure cookies anyway
    # (core.middleware.SecureCookiesMiddleware) and the HSTS header (SecurityMiddleware).
    HTTPS = config.boolean(os.environ, "HELPLINE_HTTPS", BASE_URL.startswith("https://"))
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
    # GET /metrics answers a bearer of this token; unset, it answers 404 (never public).
    METRICS_TOKEN = config.secret_token(os.environ, "HELPLINE_METRICS_TOKEN")
    # Staff accounts (issue 21; decisions 0175–0178). "required": every staff member (any role
    # but merchant) must have a second factor (an authenticator app or a passkey) before any
    # page or session API call; "optional": anyone may add one.
    STAFF_2FA = config.choice(
        os.environ, "HELPLINE_STAFF_2FA", ("optional", "required"), "optional"
    )
    # A password reset ends the account's other sessions; with this on, its API tokens too.
    RESET_REVOKES_TOKENS = config.boolean(os.environ, "HELPLINE_RESET_REVOKES_TOKENS", True)
    # Single sign-on through OpenID Connect: the issuer (its discovery document is
    # <issuer>/.well-known/openid-configuration), the client registered there, the button's name.
    OIDC_ISSUER = config.text(os.environ, "HELPLINE_OIDC_ISSUER")
    OIDC_CLIENT_ID = config.text(os.environ, "HELPLINE_OIDC_CLIENT_ID")
    OIDC_CLIENT_SECRET = config.text(os.environ, "HELPLINE_OIDC_CLIENT_SECRET")
    OIDC_NAME = config.text(os.environ, "HELPLINE_OIDC_NAME", "Company single sign-on")
except config.ConfigError as exc:
    # One clear line, no traceback: this is an operator's mistake, not a bug.
    sys.stderr.write(f"helpline: configuration error: {exc}\n")
    raise SystemExit(2) from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth's session list
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "csp",
    # Staff accounts: allauth's two-factor, OpenID Connect and session list (decision 0175).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "helpline.core",
    "helpline.audit",
    "helpline.accounts",
    "helpline.merchants",
    "helpline.sla",
    "helpline.tickets",
    "helpline.billing",
    "helpline.engineering",
    "helpline.web",
    "helpline.outbox",
    "helpline.mail",
    "helpline.monitoring",
    # Routing assigns a new ticket before anybody is told of it: its listener runs first.
    "helpline.routing",
    # Listeners of ticket events run in this order: notifications, then account management.
    "helpline.notifications",
    "helpline.subscriptions",
    "helpline.account_management",
    "helpline.csat",
    "helpline.knowledge",
    "helpline.reports",
    "helpline.privacy",
]

MIDDLEWARE = [
    # /healthz, /readyz, /metrics: answered before anything else (no session, no rate limit).
    "helpline.web.ops.OpsEndpointsMiddleware",
    # Request latency by route name, for /metrics (decision 0161).
    "helpline.core.request_metrics.RequestLatencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "helpline.core.middleware.SecureCookiesMiddleware",
    "helpline.core.middleware.ApiErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "helpline.core.middleware.BodyLimitMiddleware",
    "helpline.audit.middleware.AuditMiddleware",
    "helpline.core.middleware.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "helpline.web.two_factor.StaffTwoFactorMiddleware",
    "helpline.web.zone.ReaderZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "helpline.urls"
WSGI_APPLICATION = "helpline.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# allauth (decision 0175): Helpline's own sign-in page checks the password (and the throttle)
# and hands the sign-in to allauth's flow, which asks for the second factor. Nobody signs up:
# people are created by admins; single sign-on links to an existing staff member by a verified
# e-mail address (helpline.web.sso).
ACCOUNT_ADAPTER = "helpline.web.sso.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "helpline.web.sso.SocialAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Helpline's own throttle (web.throttle, core.limits) counts sign-ins, in the database.
ACCOUNT_RATE_LIMITS = False
# allauth sends no mail of its own: every mail goes through the outbox.
ACCOUNT_EMAIL_NOTIFICATIONS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = (
    {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": OIDC_NAME,
                    "client_id": OIDC_CLIENT_ID,
                    "secret": OIDC_CLIENT_SECRET,
                    "settings": {"server_url": OIDC_ISSUER},
                }
            ],
        }
    }
    if OIDC_ISSUER
    else {}
)
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Helpline"
MFA_PASSKEY_LOGIN_ENABLED = False
# WebAuthn needs a secure origin; http://localhost (a developer's, the browser tests') is one to
# browsers, and the fido2 library is told so only when Helpline is not served over HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS
# Sessions are recorded when they sign in (their address and browser), not touched on every
# request: tracking activity costs four queries a request (measured in test_query_counts).
USERSESSIONS_TRACK_ACTIVITY = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # web's templates first: its allauth/layouts/base.html puts allauth's pages in Helpline's
        # layout (allauth, an earlier app, would otherwise find its own).
        "DIRS": [Path(__file__).resolve().parent / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpline.web.zone.reader_zone",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Stored times are UTC; the display zone is per merchant (default below).
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# whitenoise warns at every start when the directory is missing (before collectstatic).
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": storage.storages_setting(STORAGE_S3),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

globals().update(_EMAIL)  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, … (see config.email_url)
DEFAULT_FROM_EMAIL = SUPPORT_ADDRESS
SERVER_EMAIL = SUPPORT_ADDRESS
# The outbox: retries with exponential backoff (base × 2^(attempt−1), capped), then a dead letter.
NOTIFY_BACKOFF_BASE_SECONDS = 30
NOTIFY_BACKOFF_CAP_SECONDS = 3600
NOTIFY_UNREACHABLE_RETRY_SECONDS = 15  # a provider that could not be reached: tried again then
NOTIFY_LEASE_SECONDS = 120  # a claimed row not finished by then (its worker died) is claimed again
# The folders of helpline/outbox/channels/ that are in use.
NOTIFY_CHANNELS = ["email", "webhook", "whatsapp", "digest"]

# Store uptime (helpline.monitoring; docs/decisions/0020-0029).
MONITOR_DOWN_AFTER = 3  # failures in a row confirm an outage
MONITOR_UP_AFTER = 2  # successes in a row confirm a recovery
MONITOR_REPROBE_SECONDS = 5  # "re-probed at once": suspect and recovering monitors, so soon
MONITOR_BLIND_ROUND_MIN = 5  # a round of ≥ this many probes with no answer at all is ours
MONITOR_RAW_KEEP_HOURS = 48
MONITOR_MINUTE_KEEP_DAYS = 14
MONITOR_HOUR_KEEP_DAYS = 400
MONITOR_CONCURRENCY = 500

# Account-manager support, an add-on per store: the monthly charge (INR, before GST) an admin's
# assignment starts unless they give another (docs/decisions/0106).
ACCOUNT_MANAGER_MONTHLY_CHARGE_INR = "4999.00"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
# HSTS: sent by SecurityMiddleware on requests that arrived over HTTPS only (a year; no
# subdomains, no preload: the platform's other hosts are not ours to commit).
SECURE_HSTS_SECONDS = 365 * 24 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A strict Content-Security-Policy (django-csp): scripts and styles from our own static files
# only — no inline script, no eval (htmx's eval and script tags are off, see base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "helpline.web.views.errors.csrf_failure"  # the site's frame, a way back
SESSION_COOKIE_SAMESITE = "Lax"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
