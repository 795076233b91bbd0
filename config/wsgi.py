"""WSGI entry point: gunicorn behind Pushpin (layout B of docs/DEPLOY.md).

Behind a GRIP proxy every request is short, the streams' included (Django answers them with
hold instructions and Pushpin holds the connection), so WSGI workers serve everything.
Without GRIP_URL a WSGI server cannot hold streams: the stream URL answers with a
`stream-error` naming config.asgi, and daphne (`config.asgi`) is the server to use.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from config.handlers import reading_whole_bodies
from config.startup import check_static_files, exit_with

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

try:
    from django.core.wsgi import get_wsgi_application

    check_static_files()  # before the middleware, whose WhiteNoise would warn first
    application = reading_whole_bodies(get_wsgi_application())
except ImproperlyConfigured as exc:
    exit_with("configuration error", exc)
