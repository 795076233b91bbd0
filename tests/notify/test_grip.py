"""Pushpin (GRIP) holds the stream connections in front of daphne (GRIP_URL)."""

import contextlib
import time

import pytest

from notify.eventstream import PERSONAL_GROUPS, personal_group
from notify.stream import parse_last_event_id
from tests.factories import UserFactory
from tests.live import Browser, daphne, free_port, manage, session_cookies
from tests.services import Relay, pushpin
from tests.sse import SSEClient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def proxied(tmp_path):
    """daphne behind Pushpin: clients connect to Pushpin, Django publishes to it."""
    with contextlib.ExitStack() as stack:
        origin_port = free_port()
        proxy = stack.enter_context(pushpin(tmp_path, origin_port))
        app = stack.enter_context(daphne(tmp_path, {"GRIP_URL": proxy.grip_url}, port=origin_port))
        yield proxy, app


def settled(proxy) -> None:
    """Wait for the `recover` request Pushpin makes about a second after a new subscription's
    first event (it asks Django for the history once). Made while Django is down, it is
    retried with a growing delay, which could hold the stream back for long; made after a
    publish that failed, it catches that up by itself. (Up to 5 s: if some Pushpin version
    makes none, there is nothing to wait for.)"""
    deadline = time.monotonic() + 5
    while "recover=true" not in proxy.log() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_every_kind_of_stream_through_pushpin_receives_events_with_their_ids(proxied):
    """A stream of one channel is held on its plain twin (the id written out, no filter);
    a stream of several on django-eventstream's channels (the id built per stream). Both
    carry the event as written, `%` and all, and the id that resumes them exactly."""
    proxy, app = proxied
    anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
    anonymous = SSEClient(proxy.url + "/notifications/stream/")
    signed_in = SSEClient(proxy.url + "/notifications/stream/", cookies=session_cookies(boris))
    personal = SSEClient(
        proxy.url + f"/notifications/stream/?channel=user-{boris.pk}",
        cookies=session_cookies(boris),
    )
    streams = (anonymous, signed_in, personal)
    try:
        for stream in streams:
            assert stream.status == 200
        # nginx in front of Pushpin (docs/DEPLOY.md) must not buffer the stream either.
        assert signed_in.response_headers["x-accel-buffering"] == "no"
        title = "100% sure: %I and %% stay as written"
        response = Browser(app, boris).post("/posts/new/", {"title": title, "content": "x"})
        assert response.status_code == 302
        post_id = int(response.headers["location"].strip("/").rsplit("/", 1)[1])
        (broadcast,) = anonymous.wait_notifications(1)
        assert broadcast.json["title"] == title
        seq = broadcast.json["seq"]
        assert broadcast.id == f"notifications:{seq}"
        (event,) = signed_in.wait_notifications(1)
        assert event.json == broadcast.json
        assert parse_last_event_id(event.id) == {"notifications": seq, f"user-{boris.pk}": 0}

        response = Browser(app, anna).post(f"/posts/{post_id}/comments/", {"content": "50% off"})
        assert response.status_code == 302
        (comment,) = personal.wait_notifications(1)
        assert comment.json["kind"] == "comment"
        assert comment.id == f"user-{boris.pk}:{comment.json['seq']}"
        broadcast, comment_too = signed_in.wait_notifications(2)
        assert comment_too.json == comment.json
        assert parse_last_event_id(comment_too.id) == {
            "notifications": seq,
            f"user-{boris.pk}": comment.json["seq"],
        }
        assert anonymous.of_type() == [anonymous.of_type()[0]]  # nothing personal
    finally:
        for stream in streams:
            stream.close()


def test_pushpin_asks_one_next_link_for_every_reader_and_drops_a_clients_grip_last(proxied):
    """Pushpin asks each new reader's stream again once, 10 links a second for up to 100
    streams each: the link names no reader (Django reads it from Pushpin's Grip-Last), so
    readers share it. A client cannot pass a Grip-Last of its own to read someone's channel."""
    proxy, _app = proxied
    # Readers of one group of links (notify.eventstream.PERSONAL_GROUPS): their ids apart by it.
    readers = [UserFactory(id=900_001 + PERSONAL_GROUPS * i) for i in range(3)]
    streams = [
        SSEClient(proxy.url + "/notifications/stream/", cookies=session_cookies(reader))
        for reader in readers
    ]
    try:
        asked: list[str] = []
        deadline = time.monotonic() + 10
        while len(asked) < len(readers) and time.monotonic() < deadline:
            time.sleep(0.2)
            asked = [
                line.split(" GET ", 1)[1].split(" ", 1)[0]
                for line in proxy.log().splitlines()
                if "[handler] GET" in line and "link=next" in line
            ]
        assert len(asked) >= len(readers)  # one for each reader's own channel
        (link,) = set(asked)
        group = personal_group(readers[0].pk)
        assert link.endswith(
            f"/notifications/stream/?link=next&recover=true&channel=notifications&personal={group}"
        )

        forged = SSEClient(
            proxy.url + f"/notifications/stream/?link=next&recover=true&personal={group}",
            headers={"Grip-Last": f"events-user-{readers[0].pk}; last-id=0"},
        )
        assert forged.status == 400
        forged.close()
    finally:
        for stream in streams:
            stream.close()


def test_personal_channels_are_still_refused_to_others_through_pushpin(proxied):
    proxy, _app = proxied
    anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
    stream = SSEClient(
        proxy.url + f"/notifications/stream/?channel=user-{anna.pk}", cookies=session_cookies(boris)
    )
    assert stream.status == 403


@pytest.mark.parametrize("reader", ["anonymous", "signed in"])
def test_clients_stay_connected_while_django_restarts_and_lose_nothing(proxied, reader):
    """Pushpin asks Django for what a stream missed (a `recover` request naming the channels'
    last ids): for a one-channel stream held on the plain twin, and for a two-channel one."""
    proxy, app = proxied
    anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
    cookies = session_cookies(boris) if reader == "signed in" else {}
    stream = SSEClient(proxy.url + "/notifications/stream/", cookies=cookies)
    try:
        browser = Browser(app, anna)
        browser.post("/posts/new/", {"title": "Before", "content": "x"})
        stream.wait_notifications(1)
        settled(proxy)  # its recovery request must not find Django down

        app.stop()
        # Made while Django is down, published straight to Pushpin by this process.
        manage(app, "notify_announce", "While Django was down")
        manage(app, "notify_announce", "Still down")
        app.start()

        browser = Browser(app, anna)
        browser.post("/posts/new/", {"title": "After", "content": "x"})
        # Pushpin may have to ask Django for missed events (a "recover" request) while Django
        # is down; it retries with a growing delay, so allow it time.
        titles = [e.json["title"] for e in stream.wait_notifications(4, timeout=45)]
        assert titles == ["Before", "While Django was down", "Still down", "After"]
        assert stream.error is None  # the same connection all along
    finally:
        stream.close()


def test_an_event_the_proxy_could_not_take_reaches_its_streams_within_seconds(tmp_path):
    """Publishing to Pushpin fails (its control port unreachable): retried, in order, once."""
    with contextlib.ExitStack() as stack:
        origin_port = free_port()
        proxy = stack.enter_context(pushpin(tmp_path, origin_port))
        relay = Relay(proxy.control_port)
        relay.start()
        stack.callback(relay.cut)
        grip_url = proxy.grip_url.replace(f":{proxy.control_port}?", f":{relay.port}?")
        app = stack.enter_context(daphne(tmp_path, {"GRIP_URL": grip_url}, port=origin_port))
        anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
        browser = Browser(app, anna)
        stream = SSEClient(proxy.url + "/notifications/stream/", cookies=session_cookies(boris))
        stack.callback(stream.close)
        browser.post("/posts/new/", {"title": "Before", "content": "x"})
        stream.wait_notifications(1)
        # Cut after Pushpin's first recovery, which would catch up the failure by itself.
        settled(proxy)

        relay.cut()
        for title in ("Proxy unreachable", "Still unreachable"):
            response = browser.post("/posts/new/", {"title": title, "content": "x"})
            assert response.status_code == 302  # stored; the publish waits for the proxy
        relay.start()

        # Retried within seconds, with no other event to set Pushpin's own recovery off.
        titles = [e.json["title"] for e in stream.wait_notifications(3, timeout=10)]
        assert titles == ["Before", "Proxy unreachable", "Still unreachable"]
        browser.post("/posts/new/", {"title": "After", "content": "x"})
        titles = [e.json["title"] for e in stream.wait_notifications(4)]
        assert titles == ["Before", "Proxy unreachable", "Still unreachable", "After"]
        assert stream.error is None


def test_an_event_the_proxy_never_takes_is_given_up_and_holds_nothing_back(caplog):
    """One event the proxy refuses each time is retried, then dropped with an error; the
    events after it are published meanwhile, not held behind it."""
    from notify.eventstream import ProxyPublisher

    sent: list[int] = []

    def send(channel, event_type, data, seq):
        if seq == 1:
            raise ConnectionError("the proxy refuses this one")
        sent.append(seq)

    publisher = ProxyPublisher(send)
    publisher.RETRY_DELAYS = (0.01,)
    publisher.GIVE_UP_SECONDS = 0.5
    publisher.publish("notifications", "notification", "{}", 1)
    publisher.publish("notifications", "notification", "{}", 2)
    assert sent == [2]
    assert publisher.flush(5)
    assert "gave up publishing notifications:1 to the GRIP proxy" in caplog.text
