"""ASGI entry point: `daphne config.asgi:application`."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.startup import check_static_files, exit_with

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    import django

    django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application does
    from config.handlers import ASGIHandler

    check_static_files()  # before the middleware, whose WhiteNoise would warn first
    django_application = ASGIHandler()
except ImproperlyConfigured as exc:
    exit_with("configuration error", exc)

from django.conf import settings
from django.urls import reverse

from notify import stream

STREAM_PATH = reverse("notify:events")
# Behind a GRIP proxy (Pushpin), its signed stream requests are short: Django's view answers
# them with hold instructions (django-eventstream). Every other stream request is held here.
GRIP = bool(getattr(settings, "GRIP_URL", ""))


async def application(scope, receive, send):
    if (
        scope["type"] == "http"
        and scope["path"] == STREAM_PATH
        and not (GRIP and any(name == b"grip-sig" for name, _value in scope["headers"]))
    ):
        return await stream.application(scope, receive, send)
    return await django_application(scope, receive, send)
