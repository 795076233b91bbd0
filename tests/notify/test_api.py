"""The notification API: history, unread count, read marks and the stream's whereabouts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from notify import selectors
from notify.models import Notification, NotificationRead, ReadWatermark
from tests.apiclient import assert_error
from tests.factories import UserFactory
from tests.notify.factories import make_notification

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "other", "staff"]


def make(kind="comment", recipient=None, actor=None, title="Something", **extra) -> Notification:
    return make_notification(kind, recipient, actor, title, url="/posts/1/", **extra)


@pytest.fixture
def clients(client, user_client, other_client, staff_client) -> dict[str, Client]:
    return {"anonymous": client, "owner": user_client, "other": other_client, "staff": staff_client}


@pytest.fixture
def inbox(user, other_user):
    """Two personal notifications for alice, one broadcast, one for bob."""
    return {
        "comment": make("comment", user, other_user, "My post"),
        "reaction": make("reaction", user, other_user, "My post", data={"value": "like"}),
        "broadcast": make("new_post", None, other_user, "Their post"),
        "elsewhere": make("comment", other_user, user, "Their post"),
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [n["id"] for n in response.json()["results"]]


def test_the_history_is_the_callers_own_newest_first(user_client, other_user, inbox):
    response = user_client.get("/api/notifications/")
    assert ids(response) == [inbox["broadcast"].pk, inbox["reaction"].pk, inbox["comment"].pk]
    first = response.json()["results"][0]
    assert first == {
        "id": inbox["broadcast"].pk,
        "kind": "new_post",
        "message": "bob published “Their post”",
        "title": "Their post",
        "url": "/posts/1/",
        "actor": {"id": other_user.pk, "username": "bob"},
        "is_broadcast": True,
        "is_read": False,
        "created": first["created"],
    }


def test_messages_follow_the_requests_language(user_client, inbox):
    response = user_client.get(
        "/api/notifications/?kind=reaction", headers={"Accept-Language": "ru"}
    )
    assert response.json()["results"][0]["message"] != "bob liked “My post”"


def test_filters_unread_and_kind(user_client, user, inbox):
    NotificationRead.objects.create(notification=inbox["comment"], user=user)
    assert ids(user_client.get("/api/notifications/?unread=true")) == [
        inbox["broadcast"].pk,
        inbox["reaction"].pk,
    ]
    assert ids(user_client.get("/api/notifications/?kind=comment")) == [inbox["comment"].pk]
    assert_error(user_client.get("/api/notifications/?kind=spam"), 422, "invalid")


@pytest.mark.parametrize("who", ROLES)
def test_the_history_needs_a_user(clients, inbox, who):
    response = clients[who].get("/api/notifications/")
    if who == "anonymous":
        assert_error(response, 401, "not_authenticated")
        return
    expected = {
        "owner": {"comment", "reaction", "broadcast"},
        "other": {"elsewhere"},  # bob's own broadcast is not news to him
        "staff": {"broadcast"},
    }[who]
    assert set(ids(response)) == {inbox[name].pk for name in expected}


@pytest.mark.parametrize("who", ROLES)
def test_unread_count_is_open_and_zero_for_anonymous(clients, inbox, who):
    response = clients[who].get("/api/notifications/unread-count/")
    assert response.status_code == 200
    expected = {"anonymous": 0, "owner": 3, "other": 1, "staff": 1}[who]
    assert response.json() == {"unread_count": expected}


@pytest.mark.parametrize("who", ROLES)
def test_only_a_visible_notification_can_be_marked_read(clients, inbox, who):
    response = clients[who].post(f"/api/notifications/{inbox['comment'].pk}/read/")
    if who == "anonymous":
        assert_error(response, 401)
    elif who == "owner":
        assert response.status_code == 200
        assert response.json()["is_read"] is True
        assert response.json()["id"] == inbox["comment"].pk
    else:
        # Somebody else's notification is missing, not forbidden: nothing to learn from it.
        assert_error(response, 404, "not_found")
    marked = NotificationRead.objects.filter(notification=inbox["comment"]).count()
    assert marked == (1 if who == "owner" else 0)


def test_marking_read_twice_or_a_missing_one(user_client, inbox):
    url = f"/api/notifications/{inbox['broadcast'].pk}/read/"
    assert user_client.post(url).status_code == 200
    assert user_client.post(url).status_code == 200
    assert_error(user_client.post("/api/notifications/999999/read/"), 404)
    assert user_client.get("/api/notifications/unread-count/").json()["unread_count"] == 2


@pytest.mark.parametrize("who", ROLES)
def test_read_all(clients, user, inbox, who):
    response = clients[who].post("/api/notifications/read-all/")
    if who == "anonymous":
        assert_error(response, 401)
        assert not ReadWatermark.objects.exists()
        return
    assert response.status_code == 200
    assert response.json() == {"unread_count": 0}
    # Only the caller's own read state changed.
    assert selectors.unread_count(user=user) == (0 if who == "owner" else 3)


@pytest.mark.parametrize("who", ["anonymous", "owner"])
def test_stream_info_names_the_stream_and_the_position(clients, user, inbox, who):
    response = clients[who].get("/api/notifications/stream-info/")
    assert response.status_code == 200
    body = response.json()
    assert body["url"] == "http://testserver/notifications/stream/"
    assert body["event"] == "notification"
    if who == "anonymous":
        assert body["channels"] == ["notifications"]
        assert body["last_event_id"] == f"notifications:{inbox['broadcast'].seq}"
    else:
        assert body["channels"] == ["notifications", f"user-{user.pk}"]
        positions = selectors.stream_positions(user=user)
        assert body["last_event_id"] == selectors.make_event_id(positions)


def test_the_api_description_documents_the_stream(client):
    description = client.get("/api/openapi.json").json()["info"]["description"]
    for words in ("/notifications/stream/", "Last-Event-ID", "`notification`", "text/event-stream"):
        assert words in description


def test_the_history_costs_the_same_for_5_or_50(user_client, user):
    actors = UserFactory.create_batch(3)

    def notify(n: int) -> None:
        for i in range(n):
            make("comment", user, actors[i % 3], f"Post {i}")
            make("new_post", None, actors[i % 3], f"News {i}")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            # A full page both times (a last page needs no count: config.apikit.Page).
            response = user_client.get("/api/notifications/?limit=10")
        assert response.status_code == 200
        return len(captured)

    notify(5)
    few = queries()
    notify(45)
    assert queries() == few
    assert user_client.get("/api/notifications/?limit=100").json()["count"] == 100
