"""allauth's rate limits: shared by every process through Redis, per client behind a proxy."""

import json
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.config.test_security import production_env
from tests.live import BASE_DIR
from tests.services import redis_server

LIMITED = "Too many failed login attempts"
WRONG = "The username and/or password you specified are not correct."
PROXY = "10.0.0.5"  # what REMOTE_ADDR is for every client behind the reverse proxy


def django_process(code: str, tmp_path, **env: str) -> str:
    """Run `code` in a fresh Django process on the real settings; its stdout."""
    environment = production_env(DEBUG="true", SECRET_KEY=None, EMAIL_URL=None, **env)
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


SHOW_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "cache": settings.CACHES["default"],
    "proxies": settings.ALLAUTH_TRUSTED_PROXY_COUNT,
}))
"""


def test_settings_use_redis_for_the_cache_only_with_redis_url(tmp_path):
    alone = json.loads(django_process(SHOW_SETTINGS, tmp_path))
    assert alone["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert alone["proxies"] == 0

    url = "redis://redis.internal:6379/2"
    shared = json.loads(
        django_process(SHOW_SETTINGS, tmp_path, REDIS_URL=url, TRUSTED_PROXY_COUNT="1")
    )
    assert shared["cache"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert shared["cache"]["LOCATION"] == url
    assert shared["proxies"] == 1


# Failed logins from one address, as allauth counts them at each login (a different user
# name each time, so that only the per-address limit, 10 a minute, is in play).
FAIL_LOGINS = """
import sys
from allauth.core import ratelimit
from django.test import RequestFactory

request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="203.0.113.7")
allowed = [
    ratelimit.consume(request, action="login_failed", key=f"{sys.argv[1]}-{n}")
    for n in range(int(sys.argv[2]))
]
print(sum(allowed))
"""


def fail_logins(tmp_path, process: str, attempts: int, **env: str) -> int:
    code = f"import sys; sys.argv[1:] = [{process!r}, '{attempts}']\n{FAIL_LOGINS}"
    return int(django_process(code, tmp_path, **env))


def test_failed_logins_count_across_processes_with_redis(tmp_path):
    with redis_server(tmp_path) as redis:
        assert fail_logins(tmp_path, "first", 10, REDIS_URL=redis.url) == 10
        # Another process (another daphne behind the balancer) sees those ten: refused.
        assert fail_logins(tmp_path, "second", 1, REDIS_URL=redis.url) == 0


def test_with_redis_away_limited_actions_are_refused_not_failed(tmp_path):
    with redis_server(tmp_path) as redis:
        url = redis.url
    # Redis is gone: the cache answers "nothing" instead of raising (no 500), and allauth,
    # unable to take its counter's lock, refuses the attempt as rate limited: the limits
    # stay shut rather than open while they cannot be counted.
    assert fail_logins(tmp_path, "outage", 2, REDIS_URL=url) == 0


def test_without_redis_each_process_counts_its_own(tmp_path):
    assert fail_logins(tmp_path, "first", 10) == 10
    assert fail_logins(tmp_path, "second", 1) == 1


def failed_login(n: int, forwarded_for: str | None) -> str:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    client = Client(REMOTE_ADDR=PROXY, headers=headers)
    body = {"login": f"nobody{n}", "password": "wrong"}
    return client.post(reverse("account_login"), body).text


@pytest.mark.django_db
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_each_client_has_its_own_limit():
    for n in range(10):
        assert WRONG in failed_login(n, "198.51.100.1")
    assert LIMITED in failed_login(10, "198.51.100.1")
    # The same proxy address, another client: not limited by the first one's failures.
    assert WRONG in failed_login(11, "198.51.100.2")
    # The proxy appends the address it saw: what the client puts in front does not help it.
    assert LIMITED in failed_login(12, "192.0.2.99, 198.51.100.1")


@pytest.mark.django_db
def test_without_trusted_proxies_the_header_is_ignored():
    for n in range(10):
        assert WRONG in failed_login(n, f"198.51.100.{n}")
    # A client cannot dodge the limit by making up an X-Forwarded-For.
    assert LIMITED in failed_login(10, "198.51.100.200")
    assert LIMITED in failed_login(11, None)


def test_a_bad_trusted_proxy_count_gives_one_line(tmp_path):
    from tests.config.test_security import manage

    for value in ("one", "-1"):
        result = manage("check", env=production_env(TRUSTED_PROXY_COUNT=value))
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("Agora: configuration error: TRUSTED_PROXY_COUNT")
