"""The bare view (bench.peers.bare) behind each handler the benchmark compares.

`django_asgi`: Django's own ASGI handler (what `get_asgi_application()` gives);
`agora_asgi`: Agora's (config/handlers.py, one thread hop per request); `wsgi`: Django's
WSGI handler, for gunicorn.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peers.bare")
django.setup(set_prefix=False)

from django.core.handlers.asgi import ASGIHandler  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

from config.handlers import ASGIHandler as AgoraASGIHandler  # noqa: E402

django_asgi = ASGIHandler()
agora_asgi = AgoraASGIHandler()
wsgi = WSGIHandler()
