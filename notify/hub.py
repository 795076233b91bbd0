"""The process's live fan-out: every open stream of this process, grouped by channel.

One event is encoded once per channel and the same bytes go to every open stream of that
channel (only the `id:` line differs, for streams that read more than one channel). One task
writes them, in channel order, so a stream never sees an event before an earlier one.

Where events come from:

* this process: `announce()` after the notification's transaction commits;
* other processes: Redis pub/sub when `REDIS_URL` is set (`notify.fanout`), and always the
  watcher, which reads the notification history's newest rows once a second (one indexed
  query for the whole process, only while it has readers): a notification stored by a
  management command, a shell or another daphne reaches the streams here within about a
  second, with or without Redis, and a Redis outage loses nothing.

Each channel's position (its newest `seq`) is held in memory while it has readers, so a
connect reads nothing from the database; a channel's first reader loads it (one query). The
last events of each channel are kept too, so reconnecting clients (a restart storm) are
replayed from memory after the first of them read the history.

A live page's channels (`post-5`, `catalogue`...: notify.channels) have no history: their
events (`announce_live`) carry no id and go to the streams reading the channel at that
moment, through the same writer. A live event may also go to a history channel (the
notification centre's `notification-read` on `user-<id>`); it has no position there either.
The hub notes when each live channel last changed (every live event it sees, from here or
from Redis, for the last minute): a page whose channels did not change since it was rendered
need not fetch its live parts again when its stream opens (`live_current`).
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection

from notify import eventstream
from notify.channels import is_reliable

logger = logging.getLogger(__name__)

EVENT_TYPE = "notification"
KEEP_ALIVE_SECONDS = 20
# Events kept per channel for replays from memory.
RECENT = 256
# Rows read from the history at a time when a stream catches up.
PAGE = 200
# The watcher reads again the rows of the last few seconds: on PostgreSQL ids are handed out
# before commit, so a row may become visible after one with a higher id.
RESCAN_SECONDS = 5.0
# How long the hub remembers when a live channel last changed, and the clocks' leeway (the
# page's render time is another process's, maybe another machine's).
LIVE_MEMORY_SECONDS = 60.0
LIVE_MARGIN_SECONDS = 2.0

Send = Callable[[dict], Awaitable[None]]
KEEP_ALIVE = {
    "type": "http.response.body",
    "body": eventstream.encode_event("keep-alive", ""),
    "more_body": True,
}


async def run_db[T](function: Callable[..., T], *args) -> T:
    """Run a database read in the process's one shared sync thread (no thread per stream)."""
    return await sync_to_async(_with_reconnect, thread_sensitive=True)(function, *args)


def _with_reconnect(function, *args):
    try:
        return function(*args)
    except DatabaseError:
        # A connection that died (a database restart): open a new one and try once more.
        if connection.in_atomic_block:
            raise
        connection.close()
        return function(*args)


class Batch[K, V]:
    """Reads from the database for many waiting coroutines at once.

    `await batch.get(key)` joins the next read; one read (`function(keys) -> {key: value}`,
    in the shared sync thread) answers every key asked while the previous read ran. Under a
    burst of connects this is one query for hundreds of them instead of one each.
    """

    def __init__(self, function: Callable[[list[K]], dict[K, V]]) -> None:
        self.function = function
        self.waiting: dict[K, list[asyncio.Future]] = {}
        self.running = False
        self.task: asyncio.Task | None = None  # referenced: asyncio holds tasks weakly

    async def get(self, key: K) -> V:
        future = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(key, []).append(future)
        if not self.running:
            self.running = True
            self.task = asyncio.ensure_future(self._run())
        return await future

    async def _run(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, {}
                try:
                    values = await run_db(self.function, list(batch))
                except Exception as exc:
                    for futures in batch.values():
                        for future in futures:
                            if not future.done():
                                future.set_exception(exc)
                    continue
                for key, futures in batch.items():
                    for future in futures:
                        if not future.done():
                            future.set_result(values[key])
        finally:
            self.running = False


class Stream:
    """One open connection: where to write, and the position reached in each channel."""

    __slots__ = ("backlog", "live", "live_channels", "positions", "send", "started")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.positions: dict[str, int] = {}
        # Live pages' channels: no positions, their events go out as they come.
        self.live_channels: list[str] = []
        # Once the response has begun, live events may be written (the history's wait for
        # `live`, after the replay).
        self.started = False
        # Events that arrived while the stream was still replaying the history.
        self.backlog: list[tuple[str, int, str]] | None = []
        self.live = False

    def event_id(self) -> str:
        return eventstream.make_event_id(self.positions)

    async def write(self, body: bytes) -> None:
        await self.send({"type": "http.response.body", "body": body, "more_body": True})


class LiveEvent:
    __slots__ = ("body", "channel")

    def __init__(self, channel: str, body: bytes) -> None:
        self.channel = channel
        self.body = body


class Channel:
    __slots__ = ("loading", "name", "pending", "position", "recent", "streams")

    def __init__(self, name: str) -> None:
        self.name = name
        self.position: int | None = None  # None until loaded
        self.loading = 0  # streams waiting for the position
        self.streams: set[Stream] = set()
        self.pending: dict[int, str] = {}  # arrived ahead of a gap
        self.recent: dict[int, str] = {}  # seq -> data, contiguous up to `position`


def _positions(names: list[str]) -> dict[str, int]:
    from django.db.models import Max

    from notify.models import Notification

    rows = (
        Notification.objects.filter(channel__in=names)
        .order_by()
        .values("channel")
        .annotate(m=Max("seq"))
        .values_list("channel", "m")
    )
    found = dict(rows)
    return {name: found.get(name) or 0 for name in names}


def _history(channel: str, after: int, limit: int) -> list[tuple[int, str]]:
    from notify.models import Notification
    from notify.services import encode_payload

    rows = (
        Notification.objects.filter(channel=channel, seq__gt=after)
        .select_related("actor")
        .order_by("seq")[:limit]
    )
    return [(n.seq, encode_payload(n)) for n in rows]


def _newest_id() -> int:
    from notify.models import Notification

    return Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _changes_after(after_id: int) -> tuple[int, list[tuple[str, int]]]:
    """The newest id, and each channel's newest position among the rows after `after_id`."""
    from django.db.models import Max

    from notify.models import Notification

    rows = list(
        Notification.objects.filter(id__gt=after_id)
        .order_by()
        .values("channel")
        .annotate(seq=Max("seq"), newest=Max("id"))
        .values_list("channel", "seq", "newest")
    )
    newest = max((row[2] for row in rows), default=after_id)
    return newest, [(channel, seq) for channel, seq, _newest in rows]


class Hub:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.channels: dict[str, Channel] = {}
        self.streams: set[Stream] = set()
        self.live: dict[str, set[Stream]] = {}  # live pages' channels -> their readers
        self.queue: asyncio.Queue | None = None
        self.tasks: set[asyncio.Task] = set()
        self.catching_up: set[str] = set()
        self.positions = Batch(_positions)
        self.live_changed: dict[str, float] = {}  # live channel -> time.time() of its last event
        self.live_since = 0.0  # since when live_changed knows

    # -- life cycle ---------------------------------------------------------------------------

    def ensure_started(self) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is loop:
            return
        self.loop = loop
        self.queue = asyncio.Queue()
        self.live_changed = {}
        self.live_since = time.time()
        self._spawn(self._writer())
        self._spawn(self._keep_alive())
        self._spawn(self._watch())
        if getattr(settings, "EVENTSTREAM_REDIS", None):
            from notify.fanout import ResilientRedisListener

            self._spawn(ResilientRedisListener(self).start())

    def _spawn(self, coroutine) -> None:
        # asyncio holds tasks weakly: keep a reference, or the collector may end them.
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("live fan-out task failed", exc_info=task.exception())

    # -- events in ----------------------------------------------------------------------------

    def announce(self, channel: str, seq: int, data: str) -> None:
        """From any thread: a notification was committed in this process."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return  # this process holds no streams (a management command, a WSGI worker)
        # RuntimeError: the loop closed in between, the server is stopping.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self.deliver, channel, seq, data)

    def deliver(self, channel: str, seq: int, data: str) -> None:
        """In the loop: event `seq` of `channel` (from anywhere, maybe twice, maybe early)."""
        ch = self.channels.get(channel)
        if ch is None:
            return  # nobody here reads it
        if ch.position is not None and seq <= ch.position:
            return  # had it already
        ch.pending[seq] = data
        self._drain(ch)

    def _drain(self, ch: Channel) -> None:
        if ch.position is None:
            return  # loading: the pending events are sorted out when the position is known
        for seq in [s for s in ch.pending if s <= ch.position]:
            del ch.pending[seq]
        while ch.position + 1 in ch.pending:
            ch.position += 1
            data = ch.pending.pop(ch.position)
            ch.recent[ch.position] = data
            if len(ch.recent) > RECENT:
                del ch.recent[next(iter(ch.recent))]
            assert self.queue is not None
            self.queue.put_nowait((ch, ch.position, data))
        if ch.pending and ch.name not in self.catching_up:
            # A gap: an event arrived before an earlier one (concurrent commits, a lost
            # Redis message). Read what lies in between from the history.
            self.catching_up.add(ch.name)
            self._spawn(self._catch_up(ch))

    async def _catch_up(self, ch: Channel) -> None:
        try:
            for _ in range(100):
                if not ch.pending or ch.position is None:
                    return
                rows = await run_db(_history, ch.name, ch.position, PAGE)
                if not rows:
                    # The rows in between are not visible yet: a transaction still running.
                    await asyncio.sleep(0.05)
                    continue
                for seq, data in rows:
                    self.deliver(ch.name, seq, data)
            # Still a gap after 5 s (rows deleted from the history): go on past it.
            if ch.pending:
                ch.pending = {seq: ch.pending[seq] for seq in sorted(ch.pending)}
                ch.position = next(iter(ch.pending)) - 1
                self._drain(ch)
        finally:
            self.catching_up.discard(ch.name)

    def announce_live(self, channel: str, event_type: str, data: str) -> None:
        """From any thread: a live page's event, for whoever reads `channel` now."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self.deliver_live, channel, event_type, data)

    def deliver_live(self, channel: str, event_type: str, data: str) -> None:
        """In the loop: a live event (from this process or from Redis), queued for the writer."""
        self.live_changed[channel] = time.time()
        if channel not in self.live and channel not in self.channels:
            return  # nobody here reads it: no work at all
        assert self.queue is not None
        body = eventstream.encode_event(event_type, data)
        self.queue.put_nowait(LiveEvent(channel, body))

    def live_current(self, channels: Iterable[str], rendered: float | None) -> bool:
        """Whether none of these live channels changed since a page was rendered (epoch s).

        False whenever the hub cannot tell: no render time, one from before the hub began
        to listen, or older than its memory.
        """
        now = time.time()
        if rendered is None or rendered - LIVE_MARGIN_SECONDS < self.live_since:
            return False
        if now - rendered > LIVE_MEMORY_SECONDS - LIVE_MARGIN_SECONDS:
            return False
        since = rendered - LIVE_MARGIN_SECONDS
        return all(self.live_changed.get(channel, 0.0) < since for channel in channels)

    def _forget_live_changes(self) -> None:
        cutoff = time.time() - LIVE_MEMORY_SECONDS
        self.live_changed = {c: t for c, t in self.live_changed.items() if t >= cutoff}

    # -- streams ------------------------------------------------------------------------------

    async def attach(
        self, stream: Stream, channels: Iterable[str], asked: dict[str, int]
    ) -> list[str]:
        """Register a stream and set its start positions; answers the channels reset.

        `asked` holds the client's Last-Event-ID positions; a channel it does not name starts
        from now. A position beyond the channel's is from another database: from now too.
        The stream is not live yet: `replay` sends the history, then makes it live.
        """
        chs = []
        for name in channels:
            if not is_reliable(name):
                self.live.setdefault(name, set()).add(stream)
                stream.live_channels.append(name)
                continue
            ch = self.channels.get(name)
            if ch is None:
                ch = self.channels[name] = Channel(name)
            ch.streams.add(stream)
            stream.positions[name] = 0  # set below, once the channel's position is known
            chs.append(ch)
        self.streams.add(stream)
        await self._load([ch for ch in chs if ch.position is None])
        resets = []
        for ch in chs:
            assert ch.position is not None
            start = asked.get(ch.name, ch.position)
            if start > ch.position:
                resets.append(ch.name)
                start = ch.position
            stream.positions[ch.name] = start
        return resets

    async def _load(self, chs: list[Channel]) -> None:
        todo = [ch for ch in chs if ch.position is None]
        if not todo:
            return
        for ch in todo:
            ch.loading += 1
        try:
            # The first readers of many channels at once (a restart storm): one query.
            values = await asyncio.gather(*(self.positions.get(ch.name) for ch in todo))
        finally:
            for ch in todo:
                ch.loading -= 1
        for ch, value in zip(todo, values, strict=True):
            if ch.position is None:
                # Events delivered while loading are in `pending`; those past the loaded
                # position go out now.
                ch.position = value
                self._drain(ch)
            if not ch.streams and not ch.loading and self.channels.get(ch.name) is ch:
                del self.channels[ch.name]  # its readers left while it loaded

    async def replay(self, stream: Stream) -> None:
        """Send what the stream missed, then make it live (it gets every new event)."""
        for name in list(stream.positions):
            ch = self.channels[name]
            while stream.positions[name] < (ch.position or 0):
                after = stream.positions[name]
                rows = self._from_memory(ch, after)
                if rows is None:
                    rows = await run_db(_history, name, after, PAGE)
                    self._remember(ch, rows)
                    if not rows:
                        break
                body = []
                for seq, data in rows:
                    stream.positions[name] = seq
                    body.append(self._frame(stream.event_id(), data))
                await stream.write(b"".join(body))
        # Events that came while replaying, then live: from here on only the writer writes.
        while stream.backlog:
            backlog, stream.backlog = stream.backlog, []
            body = []
            for name, seq, data in backlog:
                if seq > stream.positions[name]:
                    stream.positions[name] = seq
                    body.append(self._frame(stream.event_id(), data))
            if body:
                await stream.write(b"".join(body))
        stream.backlog = None
        stream.live = True

    def _from_memory(self, ch: Channel, after: int) -> list[tuple[int, str]] | None:
        recent = ch.recent
        if not recent or after + 1 < next(iter(recent)):
            return None
        return [(seq, data) for seq, data in recent.items() if seq > after]

    def _remember(self, ch: Channel, rows: list[tuple[int, str]]) -> None:
        """Keep rows read from the history that join up with the recent events."""
        if not rows or ch.position is None:
            return
        recent = ch.recent
        first_recent = next(iter(recent)) if recent else ch.position + 1
        if rows[-1][0] + 1 < first_recent or rows[-1][0] > ch.position:
            return
        merged = {seq: data for seq, data in rows if seq < first_recent}
        merged.update(recent)
        while len(merged) > RECENT:
            del merged[next(iter(merged))]
        ch.recent = merged

    def detach(self, stream: Stream) -> None:
        self.streams.discard(stream)
        stream.live = False
        stream.backlog = None
        for name in stream.live_channels:
            readers = self.live.get(name)
            if readers is not None:
                readers.discard(stream)
                if not readers:
                    del self.live[name]
        for name in stream.positions:
            ch = self.channels.get(name)
            if ch is None:
                continue
            ch.streams.discard(stream)
            if not ch.streams and not ch.loading and name not in self.catching_up:
                del self.channels[name]

    @staticmethod
    def _frame(event_id: str, data: str) -> bytes:
        return f"event: {EVENT_TYPE}\nid: {event_id}\ndata: {data}\n\n".encode()

    # -- the one writer -----------------------------------------------------------------------

    async def _writer(self) -> None:
        assert self.queue is not None
        while True:
            item = await self.queue.get()
            try:
                if item is None:
                    await self._write_keep_alive()
                elif isinstance(item, LiveEvent):
                    await self._fan_out_live(item)
                else:
                    await self._fan_out(*item)
            except Exception:
                logger.exception("live fan-out failed")

    async def _fan_out(self, ch: Channel, seq: int, data: str) -> None:
        name = ch.name
        tail = f"\ndata: {data}\n\n".encode()
        head = f"event: {EVENT_TYPE}\nid: ".encode()
        # Streams that read this channel only (all anonymous readers of the broadcast) share
        # one message; the others differ in their id line only.
        shared = {
            "type": "http.response.body",
            "body": head + eventstream.make_event_id({name: seq}).encode() + tail,
            "more_body": True,
        }
        for n, stream in enumerate(list(ch.streams), 1):
            if not stream.live:
                if stream.backlog is not None:
                    stream.backlog.append((name, seq, data))
                continue
            positions = stream.positions
            if positions[name] >= seq:
                continue
            positions[name] = seq
            if len(positions) == 1:
                message = shared
            else:
                body = head + stream.event_id().encode() + tail
                message = {"type": "http.response.body", "body": body, "more_body": True}
            try:
                await stream.send(message)
            except Exception:  # a connection that went away mid-write
                logger.debug("write to a closed stream", exc_info=True)
            if n % 500 == 0:
                await asyncio.sleep(0)  # let connects and disconnects in between

    async def _fan_out_live(self, event: "LiveEvent") -> None:
        readers = set(self.live.get(event.channel, ()))
        ch = self.channels.get(event.channel)
        if ch is not None:
            readers |= ch.streams
        message = {"type": "http.response.body", "body": event.body, "more_body": True}
        # Not started: the page fetches its live parts again once its stream is open.
        await self._send_all([stream for stream in readers if stream.started], message)

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(KEEP_ALIVE_SECONDS)
            assert self.queue is not None
            self.queue.put_nowait(None)
            self._forget_live_changes()

    async def _write_keep_alive(self) -> None:
        await self._send_all([stream for stream in self.streams if stream.live], KEEP_ALIVE)

    @staticmethod
    async def _send_all(streams: list[Stream], message: dict) -> None:
        for n, stream in enumerate(streams, 1):
            try:
                await stream.send(message)
            except Exception:  # a connection that went away mid-write
                logger.debug("write to a closed stream", exc_info=True)
            if n % 500 == 0:
                await asyncio.sleep(0)

    # -- the watcher --------------------------------------------------------------------------

    async def _watch(self) -> None:
        """Once a second: which channels read here have rows newer than their position?"""
        interval = settings.NOTIFY_WATCH_SECONDS
        seen: deque[tuple[float, int]] = deque()  # (when, the newest id then)
        while True:
            try:
                now = time.monotonic()
                while len(seen) > 1 and seen[1][0] <= now - RESCAN_SECONDS:
                    seen.popleft()
                if not seen or not self.channels:
                    # No reader (or the first round): only note where the history ends.
                    seen.append((now, await run_db(_newest_id)))
                else:
                    newest, changed = await run_db(_changes_after, seen[0][1])
                    seen.append((now, max(newest, seen[-1][1])))
                    self.resync(
                        name
                        for name, seq in changed
                        if (ch := self.channels.get(name)) is not None
                        and ch.position is not None
                        and seq > ch.position
                    )
            except Exception:
                logger.exception("the live watcher could not read the history")
            await asyncio.sleep(interval)

    def resync(self, names: Iterable[str]) -> None:
        """Read what these channels missed from the history and send it."""
        for name in set(names):
            ch = self.channels.get(name)
            if ch is None or ch.position is None or name in self.catching_up:
                continue
            self.catching_up.add(name)
            self._spawn(self._resync(ch))

    async def _resync(self, ch: Channel) -> None:
        try:
            while True:
                rows = await run_db(_history, ch.name, ch.position, PAGE)
                for seq, data in rows:
                    self.deliver(ch.name, seq, data)
                if len(rows) < PAGE:
                    break
        finally:
            self.catching_up.discard(ch.name)


hub = Hub()
