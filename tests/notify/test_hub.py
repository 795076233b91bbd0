"""The process's fan-out (notify/hub.py), driven the way the stream server drives it.

Each test runs a fresh hub on its own event loop; a stream is an ASGI `send` that keeps what
is written to it, exactly the bytes a client would read. End to end (daphne, real clients)
is test_stream.py; here are the orderings that are hard to provoke from outside.
"""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from notify.hub import Hub, Stream, run_db
from tests.notify.factories import make_notification
from tests.sse import SSEEvent, parse_events

pytestmark = pytest.mark.django_db(transaction=True)


class Client:
    """A stream's `send`: everything written to it."""

    def __init__(self) -> None:
        self.written = b""

    async def __call__(self, message: dict) -> None:
        self.written += message.get("body", b"")

    def events(self, kind: str = "notification") -> list[SSEEvent]:
        return [e for e in parse_events(self.written.decode()) if e.event == kind]


async def open_stream(hub: Hub, channels: list[str], asked: dict | None = None) -> Client:
    client = Client()
    stream = Stream(client)
    await hub.attach(stream, channels, asked or {})
    await hub.replay(stream)
    return client


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


def data(n: int) -> str:
    return json.dumps({"n": n})


def run(test):
    async def main():
        hub = Hub()
        hub.ensure_started()
        try:
            await test(hub)
        finally:
            for task in list(hub.tasks):
                task.cancel()
            # The hub's sync thread outlives the test: let the test database go.
            await run_db(lambda: connection.close())

    asyncio.run(main())


def test_an_event_reaches_every_stream_of_its_channel_once_and_in_order():
    async def test(hub):
        one = await open_stream(hub, ["notifications"])
        two = await open_stream(hub, ["notifications"])
        mine = await open_stream(hub, ["user-1", "notifications"])
        hub.deliver("notifications", 1, data(1))
        hub.deliver("user-1", 1, data(10))
        hub.deliver("notifications", 1, data(1))  # again (Redis and the watcher both had it)
        hub.deliver("notifications", 2, data(2))
        await settle()
        for client in (one, two):
            assert [(e.id, e.data) for e in client.events()] == [
                ("notifications:1", data(1)),
                ("notifications:2", data(2)),
            ]
        assert [e.id for e in mine.events()] == [
            "notifications:1,user-1:0",
            "notifications:1,user-1:1",
            "notifications:2,user-1:1",
        ]

    run(test)


def test_an_event_that_comes_before_an_earlier_one_waits_for_it():
    async def test(hub):
        client = await open_stream(hub, ["notifications"])
        hub.deliver("notifications", 2, data(2))  # concurrent commits: 2 announced first
        await settle()
        assert client.events() == []
        hub.deliver("notifications", 1, data(1))
        await settle()
        assert [e.id for e in client.events()] == ["notifications:1", "notifications:2"]

    run(test)


def test_a_returning_client_gets_what_it_missed_then_what_comes():
    async def test(hub):
        await open_stream(hub, ["notifications"])  # keeps the channel open
        for n in (1, 2, 3):
            hub.deliver("notifications", n, data(n))
        await settle()
        back = await open_stream(hub, ["notifications"], {"notifications": 1})
        fresh = await open_stream(hub, ["notifications"])
        hub.deliver("notifications", 4, data(4))
        await settle()
        assert [e.id for e in back.events()] == [f"notifications:{n}" for n in (2, 3, 4)]
        assert [e.id for e in fresh.events()] == ["notifications:4"]

    run(test)


def test_what_a_client_missed_before_this_process_started_comes_from_the_history():
    first = make_notification(kind="announcement", title="First")
    second = make_notification(kind="announcement", title="Second")

    async def test(hub):
        client = await open_stream(hub, ["notifications"], {"notifications": first.seq - 1})
        (one, two) = client.events()
        assert (one.json["title"], two.json["title"]) == ("First", "Second")
        assert two.id == f"notifications:{second.seq}"

    run(test)


def test_a_position_beyond_the_channels_is_reset_to_now():
    async def test(hub):
        stream = Stream(Client())
        resets = await hub.attach(stream, ["notifications"], {"notifications": 99})
        assert resets == ["notifications"]
        assert stream.positions == {"notifications": 0}

    run(test)


def test_a_notification_another_process_stores_reaches_the_open_streams(settings):
    settings.NOTIFY_WATCH_SECONDS = 0.05

    async def test(hub):
        client = await open_stream(hub, ["notifications"])
        await asyncio.sleep(0.2)  # the watcher has seen where the history ends
        # Stored here, as another process would: nobody tells the hub.
        await sync_to_async(make_notification)(kind="announcement", title="From elsewhere")
        for _ in range(100):
            if client.events():
                break
            await asyncio.sleep(0.02)
        (event,) = client.events()
        assert event.json["title"] == "From elsewhere"

    run(test)
