"""ASGI entry point: `daphne config.asgi:application`."""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    from django.core.asgi import get_asgi_application

    application = get_asgi_application()
except ImproperlyConfigured as exc:
    from config.startup import exit_with

    exit_with("configuration error", exc)
