"""What any client of the stream may rely on, checked against a real daphne process.

Positions: stream-open says where the stream starts, in the same sorted `channel:seq` form as
every notification id, so a client that received nothing can still resume exactly. Refusals:
whatever a client sends, it gets a clear 4xx and a `stream-error` at once, never a 500 or a
channel that is not its own. Delivery: a notification made by another process reaches the
open streams live.
"""

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from io import StringIO
from urllib.parse import urlencode

import httpx
import jwt
import pytest
from django.conf import settings
from django.core.management import call_command

from notify.models import Notification
from notify.services import notification_create
from tests.factories import PASSWORD
from tests.live import Browser, manage
from tests.notify.test_stream import STREAM, publish_post
from tests.sse import SSEClient, SSEEvent, parse_events

pytestmark = pytest.mark.django_db(transaction=True)

AT_ONCE = 5  # seconds: a refusal needs no waiting


@dataclass
class Answer:
    status: int
    events: list[SSEEvent]
    seconds: float
    body: str = field(repr=False)

    def __str__(self) -> str:
        return f"HTTP {self.status}: {self.body[:300] or self.events}"


def ask(streams, server, user=None, query: str = "", **headers: str) -> Answer:
    started = time.monotonic()
    client = streams(server, user, query, **headers)
    seconds = time.monotonic() - started
    if client.status == 200:
        time.sleep(0.5)  # wrongly served: let the failure show what the stream sent
        events = list(client.events)
    else:
        events = parse_events(client.body)
    return Answer(client.status, events, seconds, client.body)


def assert_refused(answer: Answer, statuses: tuple[int, ...], conditions: tuple[str, ...]) -> None:
    assert answer.status in statuses, str(answer)
    assert answer.seconds < AT_ONCE, f"the refusal took {answer.seconds:.1f} s"
    errors = [event.json for event in answer.events if event.event == "stream-error"]
    assert errors, f"no stream-error event: {answer}"
    assert errors[0]["condition"] in conditions, errors[0]


def assert_no_traceback(server) -> None:
    log = server.log.read_text()
    assert "Traceback" not in log, log[-3000:]


def stream_open(client: SSEClient) -> SSEEvent:
    events = client.wait_for(lambda events: any(e.event == "stream-open" for e in events), 5)
    return next(e for e in events if e.event == "stream-open")


def comment(server, author, post, text: str) -> None:
    browser = Browser(server, author)
    response = browser.post(f"/posts/{post.pk}/comments/", {"content": text})
    browser.close()
    assert response.status_code == 302, response.text[:500]


def app_session_token(server, user) -> str:
    response = httpx.post(
        server.url + "/_allauth/app/v1/auth/login",
        json={"username": user.get_username(), "password": PASSWORD},
        timeout=10,
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()["meta"]["session_token"]


def es_meta(payload: dict) -> str:
    return jwt.encode(payload, settings.SECRET_KEY, algorithm="HS256")


# Positions


def test_stream_open_gives_the_position_in_each_channel_in_sorted_order(
    daphne_server, people, streams
):
    anna, boris = people["anna"], people["boris"]
    post = publish_post(daphne_server, boris, "Boris writes")
    publish_post(daphne_server, anna, "Anna writes")
    comment(daphne_server, anna, post, "Nice one")

    expected = f"notifications:2,user-{boris.pk}:1"
    for query in ("", f"?channel=user-{boris.pk}&channel=notifications"):
        client = streams(daphne_server, boris, query)
        assert client.status == 200
        assert stream_open(client).id == expected, query


def test_an_anonymous_stream_opens_at_the_broadcast_position(daphne_server, people, streams):
    publish_post(daphne_server, people["anna"], "One")
    publish_post(daphne_server, people["boris"], "Two")
    assert stream_open(streams(daphne_server)).id == "notifications:2"


def test_notification_ids_list_the_channels_in_sorted_order(daphne_server, people, streams):
    anna, boris = people["anna"], people["boris"]
    post = publish_post(daphne_server, boris, "Boris writes")
    client = streams(daphne_server, boris, f"?channel=user-{boris.pk}&channel=notifications")

    publish_post(daphne_server, anna, "Anna writes")
    comment(daphne_server, anna, post, "Nice one")
    publish_post(daphne_server, people["clara"], "Clara writes")

    events = client.wait_notifications(3)
    assert [e.id for e in events] == [
        f"notifications:2,user-{boris.pk}:0",
        f"notifications:2,user-{boris.pk}:1",
        f"notifications:3,user-{boris.pk}:1",
    ]


@pytest.mark.parametrize("how", ["stop", "kill"])
@pytest.mark.parametrize("who", ["anonymous", "signed-in"])
def test_a_stream_that_received_nothing_resumes_from_its_stream_open_id_after_a_restart(
    daphne_server, people, streams, who, how
):
    publish_post(daphne_server, people["anna"], "Before the stream")
    user = people["boris"] if who == "signed-in" else None
    first = streams(daphne_server, user)
    opened = stream_open(first)
    assert opened.id, "stream-open carries no id to resume from"

    if how == "stop":
        daphne_server.stop()
    else:
        daphne_server.process.kill()
        daphne_server.process.wait(timeout=10)
    first.close()
    call_command("notify_announce", "Back in a moment", stdout=StringIO())
    daphne_server.start()

    again = streams(daphne_server, user, **{"Last-Event-ID": opened.id})
    (event,) = again.wait_notifications(1)
    assert event.json["title"] == "Back in a moment"
    publish_post(daphne_server, people["clara"], "After the restart")
    titles = [e.json["title"] for e in again.wait_notifications(2)]
    assert titles == ["Back in a moment", "After the restart"]


# Refusals

MALFORMED_POSITIONS = [
    "notifications:xyz",
    "notifications:1.5",
    "notifications:-1",
    "notifications:" + "9" * 400,
    "notifications",
    ":5",
    "notifications:1,,",
]


@pytest.mark.parametrize("where", ["header", "query"])
@pytest.mark.parametrize("position", MALFORMED_POSITIONS)
def test_a_malformed_position_is_refused_at_once(daphne_server, streams, position, where):
    if where == "header":
        answer = ask(streams, daphne_server, **{"Last-Event-ID": position})
    else:
        answer = ask(streams, daphne_server, None, "?" + urlencode({"lastEventId": position}))
    assert_refused(answer, (400,), ("bad-request",))
    assert_no_traceback(daphne_server)


@pytest.mark.parametrize("parameter", ["garbage", "forged", "expired", "recover", "link"])
def test_stray_grip_parameters_are_refused_outside_a_grip_proxy(
    daphne_server, people, streams, parameter
):
    anna = people["anna"]
    post = publish_post(daphne_server, anna, "Anna's own")
    comment(daphne_server, people["boris"], post, "Something for Anna only")
    personal = f"user-{anna.pk}"
    now = int(time.time())
    query = {
        "garbage": {"es-meta": "garbage"},
        "forged": {
            "es-meta": es_meta({"channels": [personal], "user": "anonymous", "exp": now + 3600}),
            "lastEventId": f"{personal}:0",
        },
        "expired": {"es-meta": es_meta({"channels": ["notifications"], "exp": now - 60})},
        "recover": {"recover": "true"},
        "link": {"link": "next"},
    }[parameter]

    answer = ask(streams, daphne_server, None, "?" + urlencode(query))
    served = [
        e
        for e in answer.events
        if e.event != "stream-error" and (personal in (e.id or "") or personal in e.data)
    ]
    assert served == []
    assert_refused(answer, (400,), ("bad-request",))
    assert_no_traceback(daphne_server)


def test_a_channel_name_with_a_trailing_newline_is_refused(daphne_server, people, streams):
    anna = people["anna"]
    answer = ask(streams, daphne_server, anna, f"?channel=user-{anna.pk}%0A")
    assert_refused(answer, (403,), ("forbidden",))


def test_an_empty_channel_name_is_refused(daphne_server, streams):
    answer = ask(streams, daphne_server, None, "?channel=")
    assert_refused(answer, (400, 403), ("bad-request", "forbidden"))


def test_more_than_ten_channels_are_refused(daphne_server, people, streams):
    anna = people["anna"]
    channels = ["notifications", f"user-{anna.pk}"] + [f"user-{anna.pk + n}" for n in range(1, 10)]
    answer = ask(streams, daphne_server, anna, "?" + urlencode({"channel": channels}, doseq=True))
    assert_refused(answer, (400, 403), ("bad-request", "forbidden"))


def test_bad_requests_cost_a_healthy_stream_nothing(daphne_server, people, streams):
    healthy = streams(daphne_server, people["boris"])
    bad = [
        {"Last-Event-ID": position}
        for position in [*MALFORMED_POSITIONS, "notifications:" + "7" * 4000]
    ]
    queries = ["?es-meta=garbage", "?recover=true", "?lastEventId=notifications:xyz"]
    requests = [(STREAM, headers) for headers in bad] + [(STREAM + q, {}) for q in queries]
    requests = (requests * 3)[:20]

    def knock(path: str, headers: dict) -> None:
        # How each is answered is for the tests above; here only the healthy stream matters.
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(daphne_server.url + path, headers=headers, timeout=3)

    with ThreadPoolExecutor(max_workers=20) as pool:
        for path, headers in requests:
            pool.submit(knock, path, headers)
        publish_post(daphne_server, people["anna"], "Business as usual")
        (event,) = healthy.wait_notifications(1, timeout=3)
    assert event.json["title"] == "Business as usual"
    assert healthy.error is None


# Clients of the API (allauth headless session tokens)


def test_a_session_token_opens_the_personal_channel_too(daphne_server, people, streams):
    anna = people["anna"]
    post = publish_post(daphne_server, anna, "Anna's post")
    token = app_session_token(daphne_server, anna)

    client = streams(daphne_server, None, **{"X-Session-Token": token})
    assert client.status == 200
    assert stream_open(client).id == f"notifications:1,user-{anna.pk}:0"
    comment(daphne_server, people["boris"], post, "Through the app")
    (event,) = client.wait_notifications(1)
    assert event.json["kind"] == "comment"
    assert event.id == f"notifications:1,user-{anna.pk}:1"


def test_a_session_token_may_ask_for_its_own_channel(daphne_server, people, streams):
    anna = people["anna"]
    token = app_session_token(daphne_server, anna)
    client = streams(daphne_server, None, f"?channel=user-{anna.pk}", **{"X-Session-Token": token})
    assert client.status == 200


def test_a_bad_session_token_is_refused_with_401(daphne_server, streams):
    answer = ask(streams, daphne_server, **{"X-Session-Token": "nonsense"})
    assert answer.status == 401, str(answer)
    assert answer.seconds < AT_ONCE
    assert [e for e in answer.events if e.event == "stream-error"]


def test_stream_info_with_a_session_token_names_the_personal_channel(
    daphne_server, people, streams
):
    anna = people["anna"]
    publish_post(daphne_server, anna, "Anna's post")
    token = app_session_token(daphne_server, anna)
    response = httpx.get(
        daphne_server.url + "/api/notifications/stream-info/",
        headers={"X-Session-Token": token},
        timeout=10,
    )
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert body["channels"] == ["notifications", f"user-{anna.pk}"]
    assert body["last_event_id"] == f"notifications:1,user-{anna.pk}:0"


# Delivery across processes (the default setup: no Redis)


def test_an_announcement_from_another_process_reaches_open_streams_live(daphne_server, streams):
    client = streams(daphne_server)
    stream_open(client)
    manage(daphne_server, "notify_announce", "Hello from elsewhere")
    (event,) = client.wait_notifications(1, timeout=3)
    assert event.json["title"] == "Hello from elsewhere"
    assert client.error is None


def test_a_personal_notification_stored_by_another_process_reaches_its_owner_live(
    daphne_server, people, streams
):
    boris = people["boris"]
    client = streams(daphne_server, boris)
    stream_open(client)
    # This test process runs no stream: only the server itself can notice the new row.
    notification_create(
        kind=Notification.Kind.ANNOUNCEMENT,
        recipient=boris,
        actor=None,
        target_title="direct",
        url="/",
    )
    (event,) = client.wait_notifications(1, timeout=3)
    assert event.json["title"] == "direct"
    assert event.id == f"notifications:0,user-{boris.pk}:1"
