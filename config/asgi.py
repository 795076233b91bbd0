"""ASGI entry point: `daphne config.asgi:application`."""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    from django.core.asgi import get_asgi_application

    django_application = get_asgi_application()
except ImproperlyConfigured as exc:
    from config.startup import exit_with

    exit_with("configuration error", exc)

from django.urls import reverse

from notify.asgi import StreamHandler

STREAM_PATH = reverse("notify:events")
stream_application = StreamHandler()


async def application(scope, receive, send):
    # The SSE stream holds its connection open: no thread of its own (notify/asgi.py).
    if scope["type"] == "http" and scope["path"] == STREAM_PATH:
        return await stream_application(scope, receive, send)
    return await django_application(scope, receive, send)
