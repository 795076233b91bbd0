"""Everything Agora takes from django-eventstream's internals, in one place.

django-eventstream stays the protocol (event ids `channel:seq,...`, `stream-error`), the
publishing layer to Redis and to a GRIP proxy (Pushpin), and the view that answers a GRIP
proxy's stream requests. Agora's own stream server (`notify.stream`, `notify.hub`) serves the
connections it holds itself. What it relies on beyond the documented `send_event` is named
here and pinned by `tests/notify/test_eventstream_contract.py`, which fails when an upgrade
changes it; `pyproject.toml` bounds the version.
"""

import atexit
import json
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

import django_grip
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, QueryDict
from django_eventstream import eventstream as _eventstream
from django_eventstream.utils import publish_event, sse_encode_event
from django_eventstream.views import events as _eventstream_view
from gripcontrol import HttpStreamFormat

logger = logging.getLogger(__name__)

# The Redis pub/sub channel django-eventstream's processes share (its RedisListener's).
REDIS_CHANNEL = "events_channel"

# The GRIP proxy's channels. django-eventstream holds a stream on `events-<channel>` for each
# of its channels and publishes each event there as `id: %I` with Pushpin's `build-id`
# filter, which writes, per held stream, the id of all of that stream's positions
# (`notifications:41,user-7:40`). A stream of a single history channel needs none of that:
# its id is the event's own. Such a stream is held on the twin `plain-events-<channel>`,
# where every event is published with its id written out, so Pushpin runs no filter for it.
# Filters are about a third of Pushpin's CPU per held stream and event (docs/PERFORMANCE.md).
GRIP_PREFIX = "events-"
PLAIN_PREFIX = "plain-"
# A delivery filter for send_event's `skip_user_ids`, which Agora never uses.
UNUSED_FILTERS = {"skip-users"}
# The next link of a stream that reads its reader's personal channel says so with this
# parameter instead of naming the reader (see proxy_stream_response): one of
# PERSONAL_GROUPS values, by the reader's id. Pushpin runs one link's requests each 100 ms,
# and a stream being asked holds its events meanwhile: more links, a longer wait (16: 1.6 s).
PERSONAL_PARAM = "personal"
PERSONAL_GROUPS = 16
# Pushpin asks every held stream's next link again when it has not for a while (120 s unless
# the link says), to catch up on anything it missed. It keeps one timer per interval and
# path (the query ignored), and asks all the streams on a timer when it fires: with one
# interval, 10,000 signed-in readers' requests at once. Each reader has an interval of their
# own in this range (by id: a reader stays on the timer of the readers asked with them),
# so a few dozen are asked at a time, about N / 270 a second in all.
REFRESH_SECONDS = (180, 360)


def make_event_id(positions: dict[str, int]) -> str:
    """`notifications:41,user-7:40`: django-eventstream's id form, channels in sorted order."""
    return ",".join(f"{quote(channel)}:{positions[channel]}" for channel in sorted(positions))


# As Django's json_script does: no "<", ">" or "&" in the raw event data, whatever users wrote.
_JSON_HTML_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def encode_data(value: Any) -> str:
    """An event's JSON data. Letters are written as they are (the stream is UTF-8): a
    Cyrillic letter is 2 bytes instead of a 6-byte `\\u` escape, and every held stream is
    written those bytes."""
    data = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return data.translate(_JSON_HTML_ESCAPES)


def encode_event(event_type: str, data: str, event_id: str | None = None) -> bytes:
    return sse_encode_event(event_type, data, event_id=event_id).encode()


def encode_error(condition: str, text: str, extra: dict | None = None) -> bytes:
    payload = {"condition": condition, "text": text, **(extra or {})}
    return encode_event("stream-error", json.dumps(payload), event_id="error")


def redis_client():
    """django-eventstream's own Redis client (None without EVENTSTREAM_REDIS)."""
    return _eventstream.redis_client


def publish_to_other_processes(channel: str, event_type: str, data: str, seq: int) -> None:
    """Redis (other daphne processes) and the GRIP proxy, each on its own.

    django-eventstream's `send_event` publishes to Redis first and gives up before the proxy
    when Redis fails; here a Redis outage never keeps an event from the proxy's streams.
    Errors are logged: the notification is stored, and readers catch up from the history.
    """
    client = redis_client()
    if client is not None:
        message = {"channel": channel, "event_type": event_type, "data": data, "pub_id": str(seq)}
        try:
            client.publish(REDIS_CHANNEL, json.dumps(message))
        except Exception:
            logger.warning("could not publish %s:%s to Redis", channel, seq, exc_info=True)
    if getattr(settings, "GRIP_URL", ""):
        proxy.publish(channel, event_type, data, seq)


def _publish_to_proxy(channel: str, event_type: str, data: str, seq: int) -> None:
    # Blocking: a management command must not exit before the proxy has the event.
    # The streams of several channels (the id built per stream, by Pushpin):
    publish_event(channel, event_type, data, str(seq), str(seq - 1), blocking=True)
    # The streams of this channel alone (the id as it is):
    content = sse_encode_event(event_type, data, event_id=make_event_id({channel: seq}))
    django_grip.publish(
        plain_grip_channel(channel),
        HttpStreamFormat(content),
        id=str(seq),
        prev_id=str(seq - 1),
        blocking=True,
    )


def plain_grip_channel(channel: str) -> str:
    return PLAIN_PREFIX + GRIP_PREFIX + quote(channel)


def proxy_stream_response(
    request: HttpRequest,
    is_reliable: Callable[[str], bool],
    is_personal: Callable[[str], bool],
) -> HttpResponse:
    """django-eventstream's answer to a GRIP proxy's stream request, with leaner instructions.

    * A stream of one history channel (`is_reliable`) is held on that channel's plain twin,
      without filters; the others lose the `skip-users` filter. Pushpin's `Grip-Last` (its
      `recover` requests) names the twin: django-eventstream reads it as the channel's own.
    * The next link Pushpin asks again (to recover a gap, and once after it first subscribes
      to a channel) names no reader: the public channels, and `personal=<group>` where the
      stream reads its reader's own channel, which the view finds in Pushpin's `Grip-Last`.
      Pushpin runs those requests 10 links a second, each for up to 100 streams with the
      same link: django-eventstream's link, signed for one reader, made every signed-in
      reader's first stream a request of its own, 10 readers a second. Readers share one of
      PERSONAL_GROUPS links, so a link collects the streams that arrive together and a
      burst is not asked 100 different requests at once.
    * Each stream's next link is asked again after an interval of its own (REFRESH_SECONDS),
      so that Pushpin's periodic catch-up comes a few streams at a time, not all at once.
    * No stream is held on django-eventstream's `user-<id>` channel, where nothing is sent.
    """
    grip = request.grip
    grip.last = {name.removeprefix(PLAIN_PREFIX): last_id for name, last_id in grip.last.items()}
    response = _eventstream_view(request)
    instruct = grip.instruct
    if instruct is None:  # an error, answered as it is
        return response
    # django-eventstream also holds each stream on `user-<id>` (with `require-sub`), where it
    # never publishes: a signed-in reader's would be one more channel of their own for Pushpin.
    instruct.channels = [c for c in instruct.channels if c.name.startswith(GRIP_PREFIX)]
    held = instruct.channels
    channels = [unquote(c.name.removeprefix(GRIP_PREFIX)) for c in held]
    for channel in held:
        channel.filters = [f for f in channel.filters if f not in UNUSED_FILTERS]
    if len(held) == 1 and is_reliable(channels[0]):
        (channel,) = held
        channel.name = PLAIN_PREFIX + channel.name
        channel.filters = [f for f in channel.filters if f != "build-id"]
        instruct.meta.pop("id_format", None)
    # A signed-in reader's stream without their own channel keeps the link signed for them.
    personal = any(is_personal(c) for c in channels)
    if instruct.next_link and (personal or not request.user.is_authenticated):
        group = personal_group(request.user.pk) if personal else None
        instruct.next_link = _shared_next_link(instruct.next_link, channels, is_personal, group)
    if instruct.next_link:
        instruct.next_link_timeout = refresh_seconds(request.user.pk)
    return response


def refresh_seconds(user_id: int | None) -> int:
    low, high = REFRESH_SECONDS
    if user_id is None:  # anonymous streams share their requests (same link, same position)
        return random.randint(low, high)  # noqa: S311 (a spread, not a secret)
    return low + user_id % (high - low + 1)


def personal_group(user_id: int) -> str:
    return str(1 + user_id % PERSONAL_GROUPS)


def _shared_next_link(
    link: str, channels: list[str], is_personal: Callable[[str], bool], group: str | None
) -> str:
    path, _, query = link.partition("?")
    theirs = QueryDict(query)
    params = QueryDict(mutable=True)
    for name in ("link", "recover", "lastEventId"):
        if name in theirs:
            params[name] = theirs[name]
    params.setlist("channel", sorted(c for c in channels if not is_personal(c)))
    if group is not None:
        params[PERSONAL_PARAM] = group
    return f"{path}?{params.urlencode()}"


def proxy_held_channels(request: HttpRequest) -> list[str]:
    """The history channels a GRIP proxy says a stream holds: its `Grip-Last` headers, which
    Pushpin writes on its own requests and drops from a client's."""
    names = (name.removeprefix(PLAIN_PREFIX) for name in request.grip.last)
    return [
        unquote(name.removeprefix(GRIP_PREFIX)) for name in names if name.startswith(GRIP_PREFIX)
    ]


class ProxyPublisher:
    """Publishes to the GRIP proxy, and again, in the background, what it did not take.

    Pushpin hands a stream an event only after the one before it (each carries its
    predecessor's id), so one event it never got would hold back the rest until Pushpin's
    own recovery (the channel's next event, or a reconnection). An event that fails (the
    proxy restarting, a timeout) is published again within seconds, the failed ones in
    their order; a later event that goes through meanwhile waits in Pushpin for the missing
    one (`message_wait`, 5 s) and wakes the retries at once. A second copy of an event the
    proxy did get (its answer was lost) is dropped by Pushpin, whose stream is already past
    that id. After `GIVE_UP_SECONDS` an event is dropped with an error: clients read it from
    the history when they reconnect, or Pushpin recovers it at the channel's next event.
    """

    RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0, 4.0)
    GIVE_UP_SECONDS = 600
    EXIT_WAIT_SECONDS = 5

    def __init__(self, send=_publish_to_proxy) -> None:
        self.send = send
        self.lock = threading.Lock()
        self.pending: deque[tuple[float, tuple[str, str, str, int]]] = deque()
        self.thread: threading.Thread | None = None
        self.proxy_back = threading.Event()
        atexit.register(self.flush, self.EXIT_WAIT_SECONDS)

    def publish(self, channel: str, event_type: str, data: str, seq: int) -> None:
        event = (channel, event_type, data, seq)
        try:
            self.send(*event)
        except Exception:
            logger.warning("could not publish %s:%s to the GRIP proxy; retrying", channel, seq)
            with self.lock:
                self.pending.append((time.monotonic(), event))
                if self.thread is None:
                    self.thread = threading.Thread(
                        target=self._retry, name="grip-retry", daemon=True
                    )
                    self.thread.start()
        else:
            if self.pending:
                self.proxy_back.set()  # the proxy answers again: retry now

    def _retry(self) -> None:
        failures = 1  # it just failed: wait before the first retry
        while True:
            if failures:
                delay = self.RETRY_DELAYS[min(failures, len(self.RETRY_DELAYS)) - 1]
                self.proxy_back.wait(delay)
                self.proxy_back.clear()
            with self.lock:
                if not self.pending:
                    self.thread = None
                    return
                since, event = self.pending[0]
            if time.monotonic() - since > self.GIVE_UP_SECONDS:
                logger.error("gave up publishing %s:%s to the GRIP proxy", event[0], event[3])
            else:
                try:
                    self.send(*event)
                except Exception:
                    failures += 1
                    continue
                logger.info("published %s:%s to the GRIP proxy again", event[0], event[3])
            failures = 0
            with self.lock:
                self.pending.popleft()

    def flush(self, timeout: float) -> bool:
        """Wait (up to `timeout` seconds) until the proxy took every event; False if not."""
        deadline = time.monotonic() + timeout
        while self.pending and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.pending


proxy = ProxyPublisher()


def publish_live_to_other_processes(channel: str, event_type: str, data: str) -> None:
    """A live page's event (no id, no history) to Redis and the GRIP proxy, as above."""
    client = redis_client()
    if client is not None:
        message = {"channel": channel, "event_type": event_type, "data": data, "pub_id": None}
        try:
            client.publish(REDIS_CHANNEL, json.dumps(message))
        except Exception:
            logger.warning("could not publish a live event of %s to Redis", channel, exc_info=True)
    if getattr(settings, "GRIP_URL", ""):
        try:
            # No id: django-eventstream publishes an unreliable channel's events this way.
            publish_event(channel, event_type, data, None, None, blocking=True)
        except Exception:
            logger.warning("could not publish a live event of %s to GRIP", channel, exc_info=True)


def parse_live_message(raw: bytes | str) -> tuple[str, str, str] | None:
    """(channel, event type, data) of a live event on Redis (one without an id), else None."""
    message = json.loads(raw)
    if message.get("pub_id"):
        return None
    return message["channel"], message["event_type"], message["data"]


def parse_redis_message(raw: bytes | str) -> tuple[str, int, str] | None:
    """(channel, seq, data) of a message `publish_to_other_processes` (or send_event) sent."""
    message = json.loads(raw)
    if not message.get("pub_id"):
        return None
    return message["channel"], int(message["pub_id"]), message["data"]
