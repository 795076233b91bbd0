"""WSGI entry point (for tools that want one; Agora is served by daphne over ASGI)."""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    from config.startup import exit_with

    exit_with("configuration error", exc)
