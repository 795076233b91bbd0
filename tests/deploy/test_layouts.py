"""The documented layouts work as shipped: each is started from the files in deploy/.

A: nginx (TLS) -> daphne x 2, with Redis and PostgreSQL.
B: nginx (TLS) -> Pushpin -> gunicorn (several workers), with Redis and PostgreSQL.

Each test walks one layout through what an operator and its users depend on: pages, static
files and security headers through the chain; a post made through one process reaches the
streams wherever they are held; requests are spread over the processes; restarting an
application process keeps the streams (resumed with Last-Event-ID, or held by Pushpin);
Redis stopped for 10 s loses nothing; the rate limits count each client's own address.
How the files are adapted to a test machine: tests/deploy/layouts.py.
"""

import contextlib
import re
import secrets
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest

from tests.deploy import layouts
from tests.deploy.layouts import Nginx, Process, Pushpin, Site
from tests.live import BASE_DIR, free_port
from tests.services import Redis, require
from tests.sse import SSEClient

STREAM = "/notifications/stream/"
REDIS_OUTAGE_SECONDS = 10
# The access log of deploy/systemd/agora-gunicorn.service names the worker that answered.
GUNICORN_WORKER = re.compile(r'"GET /shop/ [^"]*" 200 \d+ pid=<(\d+)>')


@dataclass
class Chain:
    site: Site
    nginx: Nginx
    redis: Redis
    env: dict
    apps: list[Process] = field(default_factory=list)
    streams: list[SSEClient] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)  # every title posted so far
    # The first title each stream (by id()) must have: the one posted next after it opened,
    # or, for a resumed stream, the first one after its Last-Event-ID.
    first: dict[int, str] = field(default_factory=dict)

    def open_stream(self, first: str, **headers: str) -> SSEClient:
        stream = SSEClient(self.nginx.url + STREAM, headers=headers, verify=self.site.tls)
        self.streams.append(stream)
        self.first[id(stream)] = first
        assert stream.status == 200, stream.body
        return stream

    def post(self, token: str, title: str) -> None:
        layouts.post(self.site, self.nginx, token, title)
        self.expected.append(title)

    def announce(self, title: str) -> None:
        """A notification made by a management command (no web process involved)."""
        layouts.run(
            [str(BASE_DIR / ".venv" / "bin" / "python"), "manage.py", "notify_announce", title],
            BASE_DIR,
            self.env,
        )
        self.expected.append(title)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The database and static files, made by the release step once for both layouts."""
    with layouts.site(tmp_path_factory.mktemp("site")) as site:
        yield site


@contextlib.contextmanager
def started(site: Site, tmp_path):
    """Redis and nginx for a layout; the caller adds the application processes."""
    with contextlib.ExitStack() as stack:
        redis = Redis(require("redis-server", "redis-server"), free_port(), tmp_path / "redis.log")
        redis.start()
        stack.callback(redis.stop)
        chain = Chain(site, Nginx(tmp_path / "nginx"), redis, site.environment(REDIS_URL=redis.url))
        stack.callback(chain.nginx.stop)
        stack.callback(lambda: [stream.close() for stream in chain.streams])
        yield chain


# -- the checks, in the order the tests run them --------------------------------------------


def check_pages_static_files_and_headers(chain: Chain, token: str) -> None:
    site, nginx = chain.site, chain.nginx
    plain = httpx.get(f"http://127.0.0.1:{nginx.http_port}/shop/?q=1")
    assert plain.status_code == 301
    assert plain.headers["location"] == "https://127.0.0.1/shop/?q=1"

    with layouts.client(site, nginx) as http:
        page = http.get("/")
        assert page.status_code == 200, page.text[:500]
        assert "<html" in page.text
        headers = page.headers
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert "script-src 'self' 'nonce-" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["server"] == "nginx"  # no version (server_tokens off)
        # Secure cookies: Django knows the request came over HTTPS (X-Forwarded-Proto).
        assert "secure" in headers["set-cookie"].lower()

        stylesheet = re.search(r'href="(/static/css/agora\.[0-9a-f]+\.css)"', page.text)
        assert stylesheet, "the page links the hashed stylesheet (collectstatic ran)"
        css = http.get(stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        assert css.headers["content-encoding"] == "gzip"
        assert "immutable" in css.headers["cache-control"]
        assert css.headers["x-content-type-options"] == "nosniff"

        # Bodies up to Agora's own limit reach Agora, which answers in its own words.
        big = http.post("/api/posts/", content=b"x" * 2_700_000, headers={"X-Session-Token": token})
        assert big.status_code == 413
        assert big.json()["error"]["code"] == "too_large"


def check_spread(chain: Chain, served_by) -> None:
    """Bursts of concurrent page requests until two processes have answered (or fail)."""
    site, nginx = chain.site, chain.nginx

    def fetch(_n: int) -> int:
        with layouts.client(site, nginx) as http:
            return http.get("/shop/").status_code

    seen: set[str] = set()
    with ThreadPoolExecutor(8) as pool:
        for _burst in range(10):
            assert set(pool.map(fetch, range(16))) == {200}
            seen = set(served_by())
            if len(seen) >= 2:
                break
    assert len(seen) >= 2, f"every request went to one process: {seen}"


def check_everybody_gets(chain: Chain) -> None:
    """Each stream has every title posted since it opened, once each and in order."""
    for stream in chain.streams:
        expected = chain.expected[chain.expected.index(chain.first[id(stream)]) :]
        titles = [e.json["title"] for e in stream.wait_notifications(len(expected), timeout=15)]
        assert titles == expected, f"stream from {stream.first!r}"


def open_streams(chain: Chain, count: int, token: str, title: str) -> None:
    for _ in range(count):
        chain.open_stream(first=title)
    chain.post(token, title)
    check_everybody_gets(chain)


def check_redis_outage_loses_nothing(chain: Chain, token: str) -> None:
    chain.redis.stop()
    stopped = time.monotonic()
    # Made through whichever process nginx picks: every stream has it while Redis is away.
    chain.post(token, "While Redis is away")
    check_everybody_gets(chain)
    time.sleep(max(0.0, REDIS_OUTAGE_SECONDS - (time.monotonic() - stopped)))
    chain.redis.start()
    chain.post(token, "Redis is back")
    check_everybody_gets(chain)
    assert not any(stream.ended for stream in chain.streams), "a stream was cut"


def check_rate_limits_count_each_client(chain: Chain, attacker: str, bystander: str) -> None:
    """allauth's 10 failed logins a minute per client address, whichever process answers."""
    site, nginx = chain.site, chain.nginx

    def refusal(response) -> str:
        assert response.status_code == 400, response.text
        return response.json()["errors"][0]["code"]

    with layouts.client(site, nginx, attacker) as http:
        codes = [
            refusal(layouts.log_in(http, f"nobody-{secrets.token_hex(4)}", "wrong"))
            for _ in range(11)
        ]
        assert "too_many_login_attempts" not in codes[:10], codes
        assert codes[10] == "too_many_login_attempts"
        # Locked out: that client address, whoever it tries, whatever address it claims.
        for claimed in ({}, {"X-Forwarded-For": bystander}):
            answer = layouts.log_in(http, site.username, layouts.PASSWORD, **claimed)
            assert refusal(answer) == "too_many_login_attempts"
    with layouts.client(site, nginx, bystander) as http:
        assert layouts.log_in(http, site.username, layouts.PASSWORD).status_code == 200


# -- layout A: nginx -> daphne x 2 ----------------------------------------------------------


def daphne(chain: Chain, tmp_path, port: int) -> Process:
    unit = layouts.unit("agora-daphne@.service", instance=str(port))
    (argv,) = unit.commands
    process = Process(argv, tmp_path / f"daphne-{port}.log", unit.workdir, chain.env).start()
    layouts.wait_until_up(process, port)
    return process


def test_nginx_in_front_of_two_daphne_processes(site, tmp_path):
    with started(site, tmp_path) as chain:
        ports = [free_port(), free_port()]
        for port in ports:
            chain.apps.append(daphne(chain, tmp_path, port))
        try:
            chain.nginx.configure(
                site,
                "upstream-daphne.conf",
                {
                    "127.0.0.1:8001": f"127.0.0.1:{ports[0]}",
                    "127.0.0.1:8002": f"127.0.0.1:{ports[1]}",
                },
            )
            chain.nginx.start()
            upstreams = {f"127.0.0.1:{port}" for port in ports}

            token = layouts.session_token(site, chain.nginx)
            check_pages_static_files_and_headers(chain, token)
            check_spread(chain, lambda: set(chain.nginx.upstreams("GET /shop/")) & upstreams)

            # least_conn: the open streams are shared out between the two processes.
            open_streams(chain, 4, token, "First")

            check_rate_limits_count_each_client(chain, "127.0.0.2", "127.0.0.3")

            # Restart one process: its streams end, the others' go on; the ended ones
            # reconnect with their Last-Event-ID and miss nothing.
            first = chain.apps[0]
            first.stop()
            during = "While one process restarts"
            chain.post(token, during)  # through the other process
            # Each stream either ended (the stopped process held it) or gets the post.
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not all(
                s.ended or during in [e.json["title"] for e in s.of_type()] for s in chain.streams
            ):
                time.sleep(0.05)
            ended = [s for s in chain.streams if s.ended]
            assert ended, "no stream was held by the stopped process"
            assert len(ended) < len(chain.streams), "every stream was held by one process"
            first.start()
            layouts.wait_until_up(first, ports[0])
            for stream in ended:
                chain.streams.remove(stream)
                resume = {"Last-Event-ID": stream.last_id()}
                chain.open_stream(during, **resume)
            chain.post(token, "After the restart")
            check_everybody_gets(chain)

            check_redis_outage_loses_nothing(chain, token)
        finally:
            for process in chain.apps:
                process.stop()


# -- layout B: nginx -> Pushpin -> gunicorn ---------------------------------------------------


def test_nginx_in_front_of_pushpin_in_front_of_gunicorn(site, tmp_path):
    with started(site, tmp_path) as chain:
        origin = free_port()
        pushpin = Pushpin(tmp_path / "pushpin", origin)
        # The example's GRIP_URL (commented out: layout A is the default), at this Pushpin.
        example = (layouts.DEPLOY / "agora.env.example").read_text()
        assert "GRIP_URL" not in layouts.env_file(example)
        grip_url = re.search(r"^#GRIP_URL=(.+)$", example, re.M).group(1)
        chain.env = {**chain.env, "GRIP_URL": pushpin.grip_url(grip_url)}
        unit = layouts.unit(
            "agora-gunicorn.service", replacements={"127.0.0.1:8000": f"127.0.0.1:{origin}"}
        )
        (argv,) = unit.commands
        gunicorn = Process(argv, tmp_path / "gunicorn.log", unit.workdir, chain.env)
        try:
            pushpin.start()
            gunicorn.start()
            layouts.wait_until_up(gunicorn, origin)
            chain.nginx.configure(
                site, "upstream-pushpin.conf", {"127.0.0.1:7999": f"127.0.0.1:{pushpin.port}"}
            )
            chain.nginx.start()

            token = layouts.session_token(site, chain.nginx)
            check_pages_static_files_and_headers(chain, token)
            check_spread(
                chain,
                lambda: re.findall(
                    r'"GET /shop/ [^"]*" 200 \d+ pid=<(\d+)>', gunicorn.log.read_text()
                ),
            )

            open_streams(chain, 3, token, "First")

            check_rate_limits_count_each_client(chain, "127.0.0.4", "127.0.0.5")

            # Restart the application: Pushpin keeps every stream open meanwhile, and what is
            # published while it is down (a management command) still arrives.
            gunicorn.stop()
            chain.announce("While the application restarts")
            gunicorn.start()
            layouts.wait_until_up(gunicorn, origin)
            chain.post(token, "After the restart")
            check_everybody_gets(chain)
            assert not any(stream.ended for stream in chain.streams)

            check_redis_outage_loses_nothing(chain, token)
        finally:
            gunicorn.stop()
            pushpin.stop()


def test_the_systemd_units_are_valid(tmp_path):
    """systemd itself reads the units (the tests above run their commands without it)."""
    analyze = require("systemd-analyze", "systemd")
    names = {
        "agora-release.service": "agora-release.service",
        "agora-gunicorn.service": "agora-gunicorn.service",
        # A template is checked through an instance of it.
        "agora-daphne@.service": "agora-daphne@8001.service",
    }
    for shipped, name in names.items():
        text = layouts.render(layouts.DEPLOY / "systemd" / shipped, {"/srv/agora": str(BASE_DIR)})
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / name) for name in names.values())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
