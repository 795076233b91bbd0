"""What Django answers a GRIP proxy's stream request with (notify.views.events).

django-eventstream writes the instructions; notify.eventstream makes them lighter for
Pushpin: a stream of one history channel is held on the channel's plain twin (its events
published with their id written out, no filter to run per stream), and no stream carries the
`skip-users` filter Agora never uses. tests/notify/test_grip.py streams through a real
Pushpin with them.
"""

import time

import jwt
import pytest
from django.test import Client

from notify.models import Notification
from tests.factories import UserFactory

KEY = "agora-test-grip-key-of-32-bytes!"


@pytest.fixture
def proxy(settings):
    """A client that signs its requests as the GRIP proxy does (`Grip-Sig`)."""
    settings.GRIP_URL = f"http://127.0.0.1:5561?iss=pushpin&key={KEY}"
    settings.MIDDLEWARE = ["django_grip.GripMiddleware", *settings.MIDDLEWARE]
    signature = jwt.encode({"iss": "pushpin", "exp": int(time.time()) + 600}, KEY)
    return Client(HTTP_GRIP_SIG=signature)


def history(channel: str, count: int) -> None:
    for seq in range(1, count + 1):
        Notification.objects.create(
            channel=channel,
            seq=seq,
            kind=Notification.Kind.ANNOUNCEMENT,
            target_title=f"Event {seq}",
            url="/",
        )


def held(response) -> dict[str, list[str]]:
    """`Grip-Channel` as {channel: its parameters}."""
    channels = {}
    for entry in response["Grip-Channel"].split(", "):
        name, *params = entry.split("; ")
        channels[name] = params
    return channels


@pytest.mark.django_db
def test_a_stream_of_the_broadcast_channel_alone_is_held_on_its_plain_twin(proxy):
    history("notifications", 3)
    response = proxy.get("/notifications/stream/")
    assert response.status_code == 200
    assert response["Grip-Hold"] == "stream"
    assert held(response) == {
        "plain-events-notifications": ["prev-id=3"],
        "user-anonymous": ["filter=require-sub"],
    }
    assert "id_format" not in response["Grip-Set-Meta"]


@pytest.mark.django_db
def test_a_stream_of_one_personal_channel_is_held_on_its_plain_twin(proxy):
    boris = UserFactory(username="boris")
    proxy.force_login(boris)
    response = proxy.get(f"/notifications/stream/?channel=user-{boris.pk}")
    assert held(response)[f"plain-events-user-{boris.pk}"] == ["prev-id=0"]


@pytest.mark.django_db
def test_a_stream_of_two_channels_keeps_the_id_built_per_stream_without_skip_users(proxy):
    history("notifications", 2)
    boris = UserFactory(username="boris")
    proxy.force_login(boris)
    response = proxy.get("/notifications/stream/")
    channels = held(response)
    assert channels["events-notifications"] == ["prev-id=2", "filter=build-id"]
    assert channels[f"events-user-{boris.pk}"] == ["prev-id=0", "filter=build-id"]
    assert "id_format=" in response["Grip-Set-Meta"]


@pytest.mark.django_db
def test_a_live_channel_alone_stays_where_its_events_are_published(proxy):
    # A live page's events have no id and are published on django-eventstream's channel only.
    response = proxy.get("/notifications/stream/?channel=posts")
    assert held(response)["events-posts"] == []


@pytest.mark.django_db
def test_pushpins_recovery_of_a_plain_twin_replays_what_it_missed(proxy):
    history("notifications", 2)
    first = proxy.get("/notifications/stream/")
    next_link = first["Grip-Link"].split(">")[0].removeprefix("<")
    history_after = [
        Notification(
            channel="notifications",
            seq=seq,
            kind=Notification.Kind.ANNOUNCEMENT,
            target_title=f"Event {seq}",
            url="/",
        )
        for seq in (3, 4)
    ]
    Notification.objects.bulk_create(history_after)
    # Pushpin names the channel it holds the stream on, with the last id it delivered.
    response = proxy.get(next_link, HTTP_GRIP_LAST="plain-events-notifications; last-id=2")
    assert response.status_code == 200
    body = response.content.decode()
    assert "id: notifications:3\n" in body and "id: notifications:4\n" in body
    assert "id: notifications:2\n" not in body
    assert held(response)["plain-events-notifications"] == ["prev-id=4"]
