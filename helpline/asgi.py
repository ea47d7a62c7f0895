"""The ASGI application ``helpline serve`` runs: Django behind the front door
(``helpline.core.door``: body caps before the body is read, whole requests before a thread)."""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
django_application = get_asgi_application()

from django.conf import settings  # noqa: E402 - after Django is set up

from helpline.core.door import Door  # noqa: E402

# Static files (whitenoise) and attachments are file iterators: Django reads them in a thread
# and sends them from the loop, as it should; it warns on every one of them.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators", category=Warning
)

application = Door(
    django_application,
    threads=settings.WEB_THREADS,
    max_body=settings.MAX_BODY_BYTES,
    anonymous_max_body=settings.ANONYMOUS_MAX_BODY_BYTES,
    session_cookie=settings.SESSION_COOKIE_NAME,
)
