"""Several daphne processes share live events through Redis (REDIS_URL)."""

import contextlib

import pytest

from blog.models import Post
from notify.models import Notification
from tests.factories import UserFactory
from tests.live import Browser, daphne, session_cookies
from tests.services import redis_server
from tests.sse import SSEClient

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def two_processes(tmp_path, **env):
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(redis_server(tmp_path))
        env = {"REDIS_URL": redis.url, **env}
        one = stack.enter_context(daphne(tmp_path, env))
        two = stack.enter_context(daphne(tmp_path, env))
        yield redis, one, two


@pytest.fixture
def cluster(tmp_path):
    """Redis and two daphne processes that know of each other only through it.

    Their watchers (which read the shared history once a second) are slowed to once in ten
    minutes, so whatever crosses from one to the other within the test crossed through Redis.
    """
    with two_processes(tmp_path, NOTIFY_WATCH_MS="600000") as processes:
        yield processes


@pytest.fixture
def cluster_as_deployed(tmp_path):
    """The same with the watchers as they run by default."""
    with two_processes(tmp_path) as processes:
        yield processes


def publish(server, author, title):
    browser = Browser(server, author)
    try:
        return browser.post("/posts/new/", {"title": title, "content": "x"})
    finally:
        browser.close()


def test_a_post_made_through_one_process_reaches_a_stream_of_the_other(cluster):
    _redis, one, two = cluster
    anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
    stream = SSEClient(two.url + "/notifications/stream/", cookies=session_cookies(boris))
    try:
        assert publish(one, anna, "Across processes").status_code == 302
        assert Notification.objects.filter(target_title="Across processes").exists()
        (event,) = stream.wait_notifications(1)
        assert event.json["title"] == "Across processes"
    finally:
        stream.close()


def test_with_redis_down_posting_works_and_nothing_is_lost(cluster_as_deployed):
    redis, one, two = cluster_as_deployed
    anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
    stream = SSEClient(two.url + "/notifications/stream/", cookies=session_cookies(boris))
    local = SSEClient(one.url + "/notifications/stream/", cookies=session_cookies(boris))
    try:
        assert publish(one, anna, "Before the outage").status_code == 302
        stream.wait_notifications(1)
        local.wait_notifications(1)

        redis.stop()
        response = publish(one, anna, "During the outage")
        assert response.status_code == 302  # the write succeeds, no 500
        assert Post.objects.filter(title="During the outage").exists()
        assert Notification.objects.filter(target_title="During the outage").exists()
        # The process that made it delivers it to its own streams at once.
        assert [e.json["title"] for e in local.wait_notifications(2)][-1] == "During the outage"

        # The other process finds it in the history (its watcher), without waiting for Redis.
        events = stream.wait_notifications(2, timeout=5)
        assert [e.json["title"] for e in events] == ["Before the outage", "During the outage"]

        redis.start()

        assert publish(two, anna, "After the outage").status_code == 302
        titles = [e.json["title"] for e in local.wait_notifications(3, timeout=10)]
        assert titles == ["Before the outage", "During the outage", "After the outage"]
        titles = [e.json["title"] for e in stream.wait_notifications(3, timeout=10)]
        assert titles == ["Before the outage", "During the outage", "After the outage"]
    finally:
        stream.close()
        local.close()


def test_the_redis_subscriber_comes_back_after_an_outage(cluster):
    redis, one, two = cluster
    anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
    stream = SSEClient(two.url + "/notifications/stream/", cookies=session_cookies(boris))
    try:
        redis.stop()
        redis.start()
        # Two's subscriber retries every few seconds; each post after that crosses at once.
        for n in range(1, 16):
            assert publish(one, anna, f"Attempt {n}").status_code == 302
            with contextlib.suppress(AssertionError):
                stream.wait_notifications(1, timeout=1)
                break
        events = stream.wait_notifications(1)
        assert all(event.json["title"].startswith("Attempt") for event in events)
    finally:
        stream.close()
