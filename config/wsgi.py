"""WSGI entry point (for tools that want one; Agora is served by daphne over ASGI)."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.startup import check_static_files, exit_with

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    from django.core.wsgi import get_wsgi_application

    check_static_files()  # before the middleware, whose WhiteNoise would warn first
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    exit_with("configuration error", exc)
