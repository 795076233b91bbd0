"""The brief's original live-notification design, for comparison: Django Channels.

A WebSocket consumer joins the group `notifications`; a broadcast is `group_send` to it.
Same database and models as Agora (bench.settings); the layer is in-memory, or channels_redis
when CHANNELS_REDIS_URL is set.
"""

import os

from bench.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "channels"]  # noqa: F405
ROOT_URLCONF = "bench.peers.channels_peer.urls"
ASGI_APPLICATION = "bench.peers.channels_peer.asgi.application"

_redis = os.environ.get("CHANNELS_REDIS_URL", "")
if _redis:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Room for the benchmark's concurrent connects (the default pool ran out).
            "CONFIG": {
                "hosts": [{"address": _redis, "max_connections": 2000}],
                "capacity": 1000,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
