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

from notify.eventstream import PERSONAL_GROUPS, REFRESH_SECONDS, personal_group
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
    assert held(response) == {"plain-events-notifications": ["prev-id=3"]}
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
    # Nor on django-eventstream's `user-<id>`, where nothing is ever published: one Pushpin
    # channel of their own per reader, not two.
    assert held(response) == {
        "events-notifications": ["prev-id=2", "filter=build-id"],
        f"events-user-{boris.pk}": ["prev-id=0", "filter=build-id"],
    }
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


def next_link(response) -> str:
    return response["Grip-Link"].split(">")[0].removeprefix("<")


@pytest.mark.django_db
def test_the_next_link_names_no_reader_so_pushpin_asks_once_for_many_streams(proxy):
    # Pushpin asks a stream's next link again once after it first subscribes to a channel,
    # 10 links a second, each for up to 100 streams that share it. Readers of one group
    # (notify.eventstream.PERSONAL_GROUPS, by id) share it.
    anna, boris = UserFactory(id=900_001), UserFactory(id=900_001 + PERSONAL_GROUPS)
    anonymous = proxy.get("/notifications/stream/")
    assert (
        next_link(anonymous)
        == "/notifications/stream/?link=next&recover=true&channel=notifications"
    )
    links = set()
    for user in (anna, boris):
        proxy.force_login(user)
        links.add(next_link(proxy.get("/notifications/stream/?live_since=1")))
    group = personal_group(anna.pk)
    assert links == {
        f"/notifications/stream/?link=next&recover=true&channel=notifications&personal={group}"
    }


@pytest.mark.django_db
def test_a_personal_next_link_reads_the_reader_from_pushpins_grip_last(proxy):
    boris = UserFactory(username="boris")
    history(f"user-{boris.pk}", 3)
    history("notifications", 1)
    group = personal_group(boris.pk)
    link = f"/notifications/stream/?link=next&recover=true&channel=notifications&personal={group}"
    response = proxy.get(
        link, HTTP_GRIP_LAST=f"events-notifications; last-id=1, events-user-{boris.pk}; last-id=1"
    )
    assert response.status_code == 200
    body = response.content.decode()
    for seq in (2, 3):
        assert f"user-{boris.pk}:{seq}" in body
    channels = held(response)
    assert channels[f"events-user-{boris.pk}"] == ["prev-id=3", "filter=build-id"]
    assert set(channels) == {"events-notifications", f"events-user-{boris.pk}"}
    assert next_link(response) == link


@pytest.mark.django_db
@pytest.mark.parametrize(
    "grip_last",
    [
        None,
        "events-notifications; last-id=0",
        f"events-user-900001; last-id=0, events-user-{900_001 + PERSONAL_GROUPS}; last-id=0",
        "events-user-900002; last-id=0",  # another group's reader
    ],
)
def test_personal_without_one_personal_channel_of_its_group_is_refused(proxy, grip_last):
    # A client's own Grip-Last never reaches Django (Pushpin drops it: test_grip.py).
    UserFactory(id=900_001), UserFactory(id=900_002), UserFactory(id=900_001 + PERSONAL_GROUPS)
    headers = {"HTTP_GRIP_LAST": grip_last} if grip_last else {}
    group = personal_group(900_001)
    response = proxy.get(
        f"/notifications/stream/?link=next&recover=true&personal={group}", **headers
    )
    assert response.status_code == 400
    assert b"event: stream-error" in response.content


@pytest.mark.django_db
def test_a_signed_in_stream_without_its_own_channel_keeps_a_link_signed_for_its_reader(proxy):
    proxy.force_login(UserFactory(username="boris"))
    response = proxy.get("/notifications/stream/?channel=notifications")
    assert "es-meta=" in next_link(response)


@pytest.mark.django_db
def test_pushpin_asks_each_stream_again_after_an_interval_of_its_own(proxy):
    # Pushpin asks every held stream's next link again after the link's `timeout` (120 s by
    # default), all the streams with the same timeout together: 10,000 signed-in readers'
    # requests at once. Each reader has their own, within REFRESH_SECONDS.
    def timeout(response) -> int:
        link = response["Grip-Link"]
        assert "; rel=next" in link
        return int(link.rsplit("timeout=", 1)[1])

    low, high = REFRESH_SECONDS
    anonymous = {timeout(proxy.get("/notifications/stream/")) for _ in range(20)}
    readers = {}
    for user in UserFactory.create_batch(5):
        proxy.force_login(user)
        readers[user.pk] = {timeout(proxy.get("/notifications/stream/")) for _ in range(3)}
    assert all(low <= t <= high for t in anonymous | set().union(*readers.values()))
    assert len(anonymous) > 1
    assert all(len(timeouts) == 1 for timeouts in readers.values())  # a reader keeps theirs
    assert len(set().union(*readers.values())) == 5
