"""The documented layouts, started on loopback from the very files in deploy/.

The files are used as shipped except for a few values a test machine cannot use as they are
(ports, paths, the host name, secrets), replaced by `render`: each replacement names the
exact text it replaces and fails when that text is not in the file, so a change to a deploy
file that the test does not follow fails here instead of going untested.

* nginx: `deploy/nginx/agora.conf` and one upstream file, included from a small main
  configuration the test writes in place of Debian's `/etc/nginx/nginx.conf` (pid, logs and
  temporary files in the test's folder; an access log naming the upstream that answered);
* Pushpin: `deploy/pushpin/pushpin.conf` and `routes`;
* the application: the `ExecStart=` commands of `deploy/systemd/*.service`, run as systemd
  would (`WorkingDirectory=`, `EnvironmentFile=`, `%i` = the instance, `%%` = `%`), with
  `deploy/agora.env.example` as the environment.
"""

import os
import re
import secrets
import shlex
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.live import BASE_DIR, free_port
from tests.services import require, wait_for_port

DEPLOY = BASE_DIR / "deploy"
# What the deploy files say for the checkout, and the site's name.
SHIPPED_ROOT = "/srv/agora"
SHIPPED_HOST = "agora.example.com"
PASSWORD = "agora-deploy-test"


def render(path: Path, replacements: dict[str, str]) -> str:
    """The file's text with exactly these replacements (each must occur in it)."""
    text = path.read_text()
    for old, new in replacements.items():
        if old not in text:
            raise AssertionError(f"{path.relative_to(BASE_DIR)} no longer contains {old!r}")
        text = text.replace(old, new)
    return text


def env_file(text: str) -> dict[str, str]:
    """A systemd EnvironmentFile: KEY=value lines; comments and blank lines skipped."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


@dataclass
class Unit:
    workdir: Path
    commands: list[list[str]]


def unit(name: str, instance: str = "", replacements: dict[str, str] | None = None) -> Unit:
    """A systemd unit's ExecStart= commands, with the checkout at BASE_DIR."""
    text = render(DEPLOY / "systemd" / name, {SHIPPED_ROOT: str(BASE_DIR), **(replacements or {})})
    service = text.split("[Service]", 1)[1].split("\n[", 1)[0]
    assert "EnvironmentFile=/etc/agora/agora.env" in service
    workdir = Path(re.search(r"^WorkingDirectory=(.+)$", service, re.M).group(1))
    commands = []
    for line in re.findall(r"^ExecStart=(.+)$", service, re.M):
        line = line.replace("%i", instance).replace("%%", "%")
        commands.append(shlex.split(line))
    return Unit(workdir, commands)


def environment(**overrides: str) -> dict[str, str]:
    """deploy/agora.env.example, with these values set, as the units' whole environment."""
    example = (DEPLOY / "agora.env.example").read_text()
    if "GRIP_URL" in overrides:
        assert "\n#GRIP_URL=" in example
        example = example.replace("\n#GRIP_URL=", "\nGRIP_URL=")
    values = env_file(example)
    unknown = set(overrides) - set(values)
    assert not unknown, f"not in agora.env.example: {unknown}"
    values.update(overrides)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        # Never a developer's .env: only the environment file counts, as under systemd.
        "ENV_FILE": "/nonexistent/agora.env",
        **values,
    }


class Process:
    """A program in its own process group (gunicorn's workers stop with it)."""

    def __init__(self, argv: list[str], log: Path, cwd: Path = BASE_DIR, env=None) -> None:
        self.argv, self.log, self.cwd, self.env = argv, log, cwd, env
        self.process: subprocess.Popen | None = None

    def start(self) -> "Process":
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if not self.running():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def run(argv: list[str], cwd: Path, env: dict) -> str:
    result = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode:
        raise AssertionError(f"{shlex.join(argv)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_until_up(process: Process, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.running():
            raise AssertionError(f"{process.argv[0]} exited:\n{process.tail()}")
        try:
            wait_for_port(port, timeout=0.2)
            return
        except TimeoutError:
            pass
    raise AssertionError(f"{process.argv[0]} not listening on {port}:\n{process.tail()}")


# -- the site's shared parts: TLS certificate, database, static files, a user ----------------


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the test's host name), made by openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            require("openssl", "openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextmanager
def postgres_database() -> Iterator[str]:
    """A database of its own on the PostgreSQL server the suite uses (or the local one)."""
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://agora:agora@127.0.0.1:5432/agora"
    parts = urlsplit(url)
    name = f"agora_deploy_{os.getpid()}"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        message = (
            f"the deployment test needs PostgreSQL ({url}, a role that may create databases): {exc}"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Site:
    """What both layouts share: the checkout's release step done on a database of its own."""

    folder: Path
    cert: Path
    key: Path
    env: dict[str, str]  # the environment the units get, before the layout's own values
    username: str = "alice"

    @property
    def tls(self) -> ssl.SSLContext:
        """A client's TLS settings that trust the site's certificate."""
        return ssl.create_default_context(cafile=self.cert)

    def environment(self, **overrides: str) -> dict[str, str]:
        return {**self.env, **overrides}


@contextmanager
def site(folder: Path) -> Iterator[Site]:
    cert, key = certificate(folder)
    with postgres_database() as database_url:
        env = environment(
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=database_url,
            STATIC_ROOT=str(folder / "static"),
            # Set per layout (its own Redis); the release step does not need it.
            REDIS_URL="",
        )
        release = unit("agora-release.service")
        for command in release.commands:  # migrate, collectstatic, check --deploy
            run(command, release.workdir, env)
        run(
            [
                str(BASE_DIR / ".venv" / "bin" / "python"),
                "manage.py",
                "shell",
                "-c",
                "from django.contrib.auth import get_user_model; "
                f"get_user_model().objects.create_user('alice', password='{PASSWORD}')",
            ],
            BASE_DIR,
            env,
        )
        yield Site(folder, cert, key, env)


# -- the proxies -------------------------------------------------------------------------------

NGINX_MAIN = """\
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    log_format agora '$remote_addr "$request" $status upstream=$upstream_addr';
    access_log {folder}/access.log agora;
    include {folder}/agora-upstream.conf;
    include {folder}/agora.conf;
}}
"""


@dataclass
class Nginx:
    folder: Path
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def configure(self, site: Site, upstream: str, upstream_replacements: dict[str, str]) -> None:
        self.folder.mkdir(exist_ok=True)
        (self.folder / "agora.conf").write_text(
            render(
                DEPLOY / "nginx" / "agora.conf",
                {
                    f"/etc/letsencrypt/live/{SHIPPED_HOST}/fullchain.pem": str(site.cert),
                    f"/etc/letsencrypt/live/{SHIPPED_HOST}/privkey.pem": str(site.key),
                    f"server_name {SHIPPED_HOST};": "server_name 127.0.0.1;",
                    "listen 80;": f"listen 127.0.0.1:{self.http_port};",
                    "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https_port} ssl http2;",
                    # Loopback only: the test machine may have no IPv6.
                    "listen [::]:80;": "",
                    "listen [::]:443 ssl http2;": "",
                },
            )
        )
        (self.folder / "agora-upstream.conf").write_text(
            render(DEPLOY / "nginx" / upstream, upstream_replacements)
        )
        # As root (CI), the workers would switch to nobody, who may not read the test's files.
        user = "user root;" if os.geteuid() == 0 else ""
        (self.folder / "nginx.conf").write_text(NGINX_MAIN.format(user=user, folder=self.folder))

    def argv(self, *extra: str) -> list[str]:
        return [
            require("nginx", "nginx"),
            "-e",
            str(self.folder / "error.log"),
            "-p",
            str(self.folder),
            "-c",
            str(self.folder / "nginx.conf"),
            *extra,
        ]

    def start(self) -> None:
        # `nginx -t`: the configuration is valid as shipped (certificates and all).
        run(self.argv("-t"), self.folder, dict(os.environ))
        self.process = Process(
            self.argv("-g", "daemon off;"), self.folder / "nginx.out", self.folder
        ).start()
        wait_until_up(self.process, self.https_port)

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def upstreams(self, request_line: str) -> list[str]:
        """The upstream that answered each logged request starting with `request_line`."""
        log = (self.folder / "access.log").read_text()
        return re.findall(rf'"{re.escape(request_line)}[^"]*" \d+ upstream=(\S+)', log)


class Pushpin:
    key = secrets.token_urlsafe(32)

    def __init__(self, folder: Path, origin_port: int) -> None:
        self.folder = folder
        folder.mkdir(exist_ok=True)
        # ipc socket paths must stay under 108 bytes: a short folder of their own.
        self.rundir = Path(tempfile.mkdtemp(prefix="agora-pp-"))
        self.port, self.control_port = free_port(), free_port()
        (folder / "routes").write_text(
            render(DEPLOY / "pushpin" / "routes", {"127.0.0.1:8000": f"127.0.0.1:{origin_port}"})
        )
        config = folder / "pushpin.conf"
        config.write_text(
            render(
                DEPLOY / "pushpin" / "pushpin.conf",
                {
                    "rundir=/var/run/pushpin": f"rundir={self.rundir}",
                    "logdir=/var/log/pushpin": f"logdir={folder}",
                    "http_port=127.0.0.1:7999": f"http_port=127.0.0.1:{self.port}",
                    "tcp://127.0.0.1:5560": f"tcp://127.0.0.1:{free_port()}",
                    "push_in_http_port=5561": f"push_in_http_port={self.control_port}",
                    "tcp://127.0.0.1:5562": f"tcp://127.0.0.1:{free_port()}",
                    "tcp://127.0.0.1:5563": f"tcp://127.0.0.1:{free_port()}",
                    "sig_key=change-me-to-a-long-random-key": f"sig_key={self.key}",
                },
            )
        )
        self.process = Process(
            [require("pushpin", "pushpin"), "--config", str(config), "--merge-output"],
            folder / "pushpin.out",
            folder,
        )

    def grip_url(self, example: str) -> str:
        """agora.env.example's GRIP_URL, pointed at this Pushpin."""
        return example.replace("127.0.0.1:5561", f"127.0.0.1:{self.control_port}").replace(
            "change-me-to-a-long-random-key", self.key
        )

    def start(self) -> None:
        self.process.start()
        wait_until_up(self.process, self.port)
        wait_for_port(self.control_port)

    def stop(self) -> None:
        self.process.stop()
        shutil.rmtree(self.rundir, ignore_errors=True)


# -- clients -----------------------------------------------------------------------------------


def client(site: Site, nginx: Nginx, address: str = "127.0.0.1") -> httpx.Client:
    """An HTTPS client of the site, connecting from `address` (any 127.x.y.z is loopback)."""
    return httpx.Client(
        base_url=nginx.url,
        transport=httpx.HTTPTransport(verify=site.tls, local_address=address),
        timeout=20,
    )


def log_in(http: httpx.Client, username: str, password: str, **headers: str) -> httpx.Response:
    return http.post(
        "/_allauth/app/v1/auth/login",
        json={"username": username, "password": password},
        headers=headers,
    )


def session_token(site: Site, nginx: Nginx) -> str:
    with client(site, nginx) as http:
        response = log_in(http, site.username, PASSWORD)
        assert response.status_code == 200, response.text
        return response.json()["meta"]["session_token"]


def post(site: Site, nginx: Nginx, token: str, title: str) -> httpx.Response:
    with client(site, nginx) as http:
        response = http.post(
            "/api/posts/",
            json={"title": title, "content": "Through the chain."},
            headers={"X-Session-Token": token},
        )
    assert response.status_code == 201, response.text
    return response
