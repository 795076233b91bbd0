"""Sessions: read from the shared cache with Redis, never from one process's memory."""

import contextlib

import httpx
import pytest

from tests.factories import UserFactory
from tests.live import Browser, daphne
from tests.services import redis_server

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_logout_through_one_process_ends_the_session_in_the_other(tmp_path):
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(redis_server(tmp_path))
        env = {"REDIS_URL": redis.url}
        one = stack.enter_context(daphne(tmp_path, env))
        two = stack.enter_context(daphne(tmp_path, env))
        user = UserFactory(username="roaming")
        here = Browser(one, user)
        there = Browser(two)
        there.http.cookies = here.http.cookies
        try:
            # Both processes have read (and cached) the session.
            assert here.http.get("/api/profiles/me/").json()["username"] == "roaming"
            assert there.http.get("/api/profiles/me/").status_code == 200
            assert there.post("/accounts/logout/", {}).status_code == 302
            # The first process does not answer from a session it read before.
            answer = httpx.get(
                f"{one.url}/api/profiles/me/",
                cookies={"sessionid": here.http.cookies["sessionid"]},
            )
            assert answer.status_code == 401
        finally:
            here.close()
            there.close()


def test_without_redis_sessions_are_read_from_the_database(settings):
    # Each process's memory would keep a session alive after a logout in another process.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
