"""`daphne bench.peers.channels_peer.asgi:application`: HTTP by Django, WebSocket by Channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peers.channels_peer.settings")

from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from bench.peers.channels_peer.consumers import NotificationConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AuthMiddlewareStack(
            URLRouter([path("ws/notifications/", NotificationConsumer.as_asgi())])
        ),
    }
)
