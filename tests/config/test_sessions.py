"""Sessions: read from the shared cache with Redis, never from one process's memory."""

import contextlib
from datetime import timedelta

import httpx
import pytest
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.cached_db import SessionStore as CacheStore

from config.sessions import SessionStore
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
    assert settings.SESSION_ENGINE == "config.sessions"
    assert issubclass(SessionStore, db.SessionStore)
    assert not issubclass(SessionStore, CacheStore)


def stored(data: dict, *, expires_in: timedelta) -> str:
    store = db.SessionStore()
    store.update(data)
    store.set_expiry(int(expires_in.total_seconds()))
    store.save()
    return store.session_key


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(
            lambda: stored({"answer": 42, "name": "Ёж"}, expires_in=timedelta(hours=1)), id="live"
        ),
        pytest.param(
            lambda: stored({"answer": 42}, expires_in=timedelta(seconds=-1)), id="expired"
        ),
        pytest.param(lambda: "k" * 32, id="unknown"),
        pytest.param(lambda: "short", id="malformed"),
        pytest.param(lambda: None, id="none"),
    ],
)
def test_the_store_reads_what_djangos_database_store_reads(key):
    """Same data for a live session; for an expired, unknown or malformed key, an empty
    session that gets a new key when saved (the old one is never reused)."""
    session_key = key()
    ours, django = SessionStore(session_key), db.SessionStore(session_key)
    assert ours.load() == django.load()
    assert ours.session_key == django.session_key
    ours["after"] = True
    ours.save()
    if session_key and ours.session_key == session_key:
        assert db.SessionStore(session_key).load()["after"] is True
    else:
        assert ours.session_key != session_key


def test_a_signed_in_request_reads_its_session_once(user_client, django_assert_num_queries):
    user_client.get("/api/categories/")
    with django_assert_num_queries(3):  # the session, the user, the page (the last: no count)
        assert user_client.get("/api/categories/").status_code == 200
