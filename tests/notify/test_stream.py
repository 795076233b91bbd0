"""The notification stream, against a real daphne process and a real streaming HTTP client."""

import json

import pytest
from django.core.management import call_command

from blog.models import Post
from notify.models import Notification
from tests.live import Browser, session_cookies
from tests.sse import SSEClient

pytestmark = pytest.mark.django_db(transaction=True)

STREAM = "/notifications/stream/"


def publish_post(server, author, title: str) -> Post:
    browser = Browser(server, author)
    response = browser.post("/posts/new/", {"title": title, "content": "Body of the post."})
    browser.close()
    assert response.status_code == 302, response.text[:500]
    return Post.objects.get(title=title)


def test_a_new_post_reaches_every_reader_including_anonymous(daphne_server, people, streams):
    boris = streams(daphne_server, people["boris"])
    anonymous = streams(daphne_server)
    post = publish_post(daphne_server, people["anna"], "Fresh news")

    for client in (boris, anonymous):
        (event,) = client.wait_notifications(1)
        payload = event.json
        assert payload["kind"] == "new_post"
        assert payload["title"] == "Fresh news"
        assert payload["url"] == post.get_absolute_url()
        assert payload["actor"]["username"] == "anna"
        assert "Fresh news" in payload["html"]["en"]
        assert f"notifications:{payload['seq']}" in event.id.split(",")


def test_a_comment_reaches_the_posts_author_only(daphne_server, people, streams):
    post = publish_post(daphne_server, people["anna"], "Anna's thoughts")
    anna = streams(daphne_server, people["anna"])
    clara = streams(daphne_server, people["clara"])
    anonymous = streams(daphne_server)

    browser = Browser(daphne_server, people["boris"])
    response = browser.post(f"/posts/{post.pk}/comments/", {"content": "Well said"})
    assert response.status_code == 302

    (event,) = anna.wait_notifications(1)
    assert event.json["kind"] == "comment"
    assert event.json["actor"]["username"] == "boris"
    assert f"user-{people['anna'].pk}:{event.json['seq']}" in event.id
    # Give the others time to (wrongly) receive it, then check they did not.
    browser.post(f"/posts/{post.pk}/react/", {"value": "like"})
    anna.wait_notifications(2)
    assert clara.of_type() == []
    assert anonymous.of_type() == []


def test_a_personal_channel_is_refused_to_others_and_to_anonymous(daphne_server, people, streams):
    channel = f"?channel=user-{people['anna'].pk}"
    for who in (people["clara"], None):
        client = streams(daphne_server, who, channel)
        assert client.status == 403
        assert "stream-error" in client.body
        error = json.loads(client.body.split("data: ", 1)[1])
        assert error["condition"] == "forbidden"
    own = streams(daphne_server, people["anna"], channel)
    assert own.status == 200


@pytest.mark.parametrize(
    ("query", "status", "condition"),
    [
        ("?channel=secret-admin-channel", 403, "forbidden"),
        ("?channel=user-0", 403, "forbidden"),
        ("?lastEventId=garbage", 400, "bad-request"),
        (
            "?channel=" + "&channel=".join(["notifications"] * 3 + [f"c{i}" for i in range(20)]),
            400,
            "bad-request",
        ),
    ],
)
def test_bad_stream_requests_are_refused_clearly(daphne_server, streams, query, status, condition):
    client = streams(daphne_server, None, query)
    assert client.status == status
    assert json.loads(client.body.split("data: ", 1)[1])["condition"] == condition


def test_a_logged_out_session_gets_the_broadcast_only(daphne_server, people, streams):
    stale = SSEClient(daphne_server.url + STREAM, cookies={"sessionid": "not-a-session-any-more"})
    try:
        assert stale.status == 200
        publish_post(daphne_server, people["anna"], "Still public")
        (event,) = stale.wait_notifications(1)
        assert event.id == f"notifications:{event.json['seq']}"
    finally:
        stale.close()


def test_reconnecting_with_last_event_id_delivers_exactly_the_missed_events(
    daphne_server, people, streams
):
    first = streams(daphne_server, people["boris"])
    publish_post(daphne_server, people["anna"], "One")
    (seen,) = first.wait_notifications(1)
    first.close()

    publish_post(daphne_server, people["anna"], "Two")
    publish_post(daphne_server, people["clara"], "Three")

    again = streams(daphne_server, people["boris"], **{"Last-Event-ID": seen.id})
    events = again.wait_notifications(2)
    assert [e.json["title"] for e in events] == ["Two", "Three"]
    publish_post(daphne_server, people["anna"], "Four")
    events = again.wait_notifications(3)
    assert [e.json["title"] for e in events] == ["Two", "Three", "Four"]


def test_the_page_starts_its_stream_where_the_page_was_rendered(daphne_server, people, streams):
    publish_post(daphne_server, people["anna"], "Before the page")
    page = Browser(daphne_server, people["boris"]).http.get("/").text
    stream_url = page.split('sse-connect="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    # The blog list reads its live channel too (notify.live), besides the history's.
    assert stream_url.startswith(STREAM + "?channel=notifications&channel=user-")
    assert "&channel=posts&lastEventId=notifications" in stream_url
    # Published after the page was rendered but before its stream connected:
    publish_post(daphne_server, people["clara"], "In between")

    client = SSEClient(daphne_server.url + stream_url, cookies=session_cookies(people["boris"]))
    try:
        events = client.wait_notifications(1)
        assert [e.json["title"] for e in events] == ["In between"]
    finally:
        client.close()


def test_a_future_last_event_id_restarts_from_now(daphne_server, people, streams):
    client = streams(daphne_server, people["boris"], "?lastEventId=notifications:999999")
    assert client.status == 200
    client.wait_for(lambda events: any(e.event == "stream-reset" for e in events))
    publish_post(daphne_server, people["anna"], "After the reset")
    (event,) = client.wait_notifications(1)
    assert event.json["title"] == "After the reset"


def test_a_notification_made_while_the_server_is_down_arrives_when_it_is_back(
    daphne_server, people, streams
):
    client = streams(daphne_server, people["boris"])
    publish_post(daphne_server, people["anna"], "Before the restart")
    (seen,) = client.wait_notifications(1)
    client.close()

    daphne_server.stop()
    call_command("notify_announce", "Maintenance is over", "--url", "/shop/")
    daphne_server.start()

    again = streams(daphne_server, people["boris"], **{"Last-Event-ID": seen.id})
    (event,) = again.wait_notifications(1)
    assert event.json["kind"] == "announcement"
    assert event.json["title"] == "Maintenance is over"
    assert Notification.objects.filter(kind="announcement").count() == 1


def test_event_data_carries_letters_as_utf8_and_markup_escaped(daphne_server, people, streams):
    # Every held stream is written the event's bytes: letters are not blown up into 6-byte
    # \u escapes, while "<", ">" and "&" never appear raw, whatever the user wrote.
    client = streams(daphne_server, people["boris"])
    title = "Привет, «мир» & <друзья>"
    publish_post(daphne_server, people["anna"], title)
    (event,) = client.wait_notifications(1)
    assert "Привет, «мир»" in event.data
    assert "\\u04" not in event.data
    assert "<" not in event.data and ">" not in event.data and "&" not in event.data
    assert event.json["title"] == title


def test_user_text_arrives_escaped_in_the_event_data(daphne_server, people, streams):
    client = streams(daphne_server, people["boris"])
    title = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    publish_post(daphne_server, people["anna"], title)
    (event,) = client.wait_notifications(1)
    assert "<img" not in event.data and "<script" not in event.data
    payload = event.json
    assert payload["title"] == title  # clients get the exact text...
    html = payload["html"]["en"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # ...and the banner, escaped
    assert "<img" not in html and "<script" not in html


def test_an_idle_stream_gets_keep_alives(daphne_server, streams):
    # django-eventstream sends one every 20 seconds, so proxies do not cut an idle stream.
    client = streams(daphne_server)
    client.wait_for(lambda events: any(e.event == "keep-alive" for e in events), timeout=25)
    assert client.error is None
