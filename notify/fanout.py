"""Events from other processes through Redis pub/sub (`REDIS_URL`), kept alive.

django-eventstream's own listener subscribes once and ends for good at the first connection
error. This one reconnects with backoff. Nothing is lost meanwhile: the hub's watcher reads
the history every second whatever Redis does, so what was published while Redis was away
reaches the streams within a second; Redis only makes it immediate.
"""

import asyncio
import logging

from django.conf import settings

from notify import eventstream

logger = logging.getLogger(__name__)

RETRY_MIN, RETRY_MAX = 0.5, 5.0


class ResilientRedisListener:
    def __init__(self, hub) -> None:
        self.hub = hub

    async def start(self) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.client import PubSub
        from redis.asyncio.retry import Retry as AsyncRetry
        from redis.backoff import NoBackoff

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
            pubsub = PubSub(client.connection_pool)
            try:
                await pubsub.subscribe(eventstream.REDIS_CHANNEL)
                logger.info("subscribed to Redis for live events")
                delay = RETRY_MIN
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
        try:
            event = eventstream.parse_redis_message(raw)
            live = eventstream.parse_live_message(raw) if event is None else None
        except (ValueError, KeyError, TypeError):
            logger.warning("ignored a malformed message on Redis: %.200r", raw)
            return
        if event is not None:
            self.hub.deliver(*event)
        elif live is not None:
            self.hub.deliver_live(*live)
