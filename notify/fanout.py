"""Keeps django-eventstream's Redis fan-out alive when Redis goes away and comes back.

django-eventstream subscribes to Redis once, on the first stream connection, and its listener
task ends for good at the first connection error. This one reconnects with backoff, and every
time it (re)subscribes it makes the local streams re-read the notification history, so events
published while Redis was unreachable still arrive, without a server restart.
"""

import asyncio
import json
import logging

from django.conf import settings
from django_eventstream.event import Event

logger = logging.getLogger(__name__)

RETRY_MIN, RETRY_MAX = 0.5, 5.0


class ResilientRedisListener:
    def __init__(self, manager) -> None:
        self.manager = manager
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.client import PubSub
        from redis.asyncio.retry import Retry as AsyncRetry
        from redis.backoff import NoBackoff

        # django-eventstream starts this task without keeping a reference to it, and asyncio
        # holds tasks weakly: without this one the garbage collector may end the fan-out.
        self.task = asyncio.current_task()
        listener = self

        class CatchUpPubSub(PubSub):
            # redis-py reconnects and resubscribes by itself after a short outage; either
            # way, once subscribed again, the local streams must catch up from the history.
            async def on_connect(self, connection) -> None:
                await super().on_connect(connection)
                logger.info("connected to Redis for live events")
                listener.catch_up()

        options = {
            **settings.EVENTSTREAM_REDIS,
            # This loop does the retrying; a subscriber waits for messages as long as it takes,
            # and pings now and then to notice a connection that died silently.
            "retry": AsyncRetry(NoBackoff(), 0),
            "socket_timeout": None,
            "health_check_interval": 15,
        }
        delay = RETRY_MIN
        while True:
            client = Redis(**options)
            pubsub = CatchUpPubSub(client.connection_pool)
            try:
                await pubsub.subscribe("events_channel")
                logger.info("subscribed to Redis for live events")
                delay = RETRY_MIN
                self.catch_up()
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        self.deliver(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("Redis fan-out lost (%s); retrying in %.1fs", exc, delay)
            finally:
                try:
                    await pubsub.aclose()
                    await client.aclose()
                except Exception:  # noqa: S110 - the connection is already gone
                    pass
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)

    def deliver(self, raw: bytes | str) -> None:
        data = json.loads(raw)
        pub_id = data["pub_id"]
        event = Event(
            data["channel"], data["event_type"], data["data"], id=int(pub_id) if pub_id else None
        )
        self.manager.add_to_queues(data["channel"], event)

    def catch_up(self) -> None:
        """Wake every local stream as if it had overflowed: it re-reads from the history."""
        with self.manager.lock:
            listeners = {
                listener
                for channel_listeners in self.manager.listeners_by_channel.values()
                for listener in channel_listeners
            }
            for listener in listeners:
                listener.overflow = True
        for listener in listeners:
            listener.wake_threadsafe()


def install() -> None:
    """Replace django-eventstream's one-shot Redis listener with the resilient one."""
    if not hasattr(settings, "EVENTSTREAM_REDIS"):
        return
    from django_eventstream.views import get_listener_manager

    manager = get_listener_manager()
    manager.redis_listener = ResilientRedisListener(manager)
