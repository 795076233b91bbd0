"""A real daphne process serving Agora on a free loopback port, for tests that need one."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
ASGI_APP = "config.asgi:application"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The URL of the database the tests use, so a child process shares it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen
    log: Path
    env: dict
    argv: list[str] | None = None  # daphne's unless given

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def start(self) -> None:
        """(Re)start on the same port."""
        self.process = _spawn(self.port, self.env, self.log, self.argv)
        _wait_ready(self)


def daphne_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), ASGI_APP]


def gunicorn_argv(port: int) -> list[str]:
    """The WSGI layout's server (deploy/systemd/agora-gunicorn.service): gthread workers."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread",
        "--threads",
        "2",
        "config.wsgi:application",
    ]


def _spawn(port: int, env: dict, log: Path, argv: list[str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        argv or daphne_argv(port),
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait_ready(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited: {server.log.read_text()[-2000:]}")
        try:
            httpx.get(server.url + "/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the server did not start in {timeout}s: {server.log.read_text()[-2000:]}")


@contextmanager
def daphne(
    tmp_path: Path,
    extra_env: dict | None = None,
    port: int | None = None,
    argv: Callable[[int], list[str]] = daphne_argv,
) -> Iterator[Server]:
    """A server on a free port sharing the test database: daphne, or `argv(port)`'s."""
    port = port or free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url(),
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
        # The uploads the test process stores are the ones the server serves.
        "AGORA_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **(extra_env or {}),
    }
    log = tmp_path / f"server-{port}.log"
    command = argv(port)
    server = Server(
        url=f"http://127.0.0.1:{port}",
        port=port,
        process=_spawn(port, env, log, command),
        log=log,
        env=env,
        argv=command,
    )
    try:
        _wait_ready(server)
        yield server
    finally:
        server.stop()


def manage(server: Server, *args: str) -> subprocess.CompletedProcess:
    """Run a management command in its own process, configured like the server."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def session_cookies(user) -> dict[str, str]:
    """Log `user` in the way the site does, and return the browser's cookies."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


class Browser:
    """An HTTP client that acts on a live server as a signed-in user would, forms and CSRF."""

    def __init__(self, server: Server, user=None) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.url, cookies=session_cookies(user) if user else {})
        self.http.get("/")  # the CSRF cookie

    def post(self, path: str, data: dict, **headers: str) -> httpx.Response:
        token = self.http.cookies.get("csrftoken")
        return self.http.post(
            path, data=data, headers={"X-CSRFToken": token, "Referer": self.server.url, **headers}
        )

    def close(self) -> None:
        self.http.close()
