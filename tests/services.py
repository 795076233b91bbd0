"""System services the scale-out tests start themselves, on loopback and a free port."""

import contextlib
import os
import selectors
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.live import free_port


def require(binary: str, package: str) -> str:
    """The path of a system binary; without it the test fails (`make test` installs it)."""
    path = shutil.which(binary)
    if path is None:
        pytest.fail(f"{binary} is not installed: apt-get install {package} (or run make test)")
    return path


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class Redis:
    def __init__(self, binary: str, port: int, log: Path) -> None:
        self.binary, self.port, self.log = binary, port, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextmanager
def redis_server(tmp_path: Path) -> Iterator[Redis]:
    server = Redis(require("redis-server", "redis-server"), free_port(), tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


PUSHPIN_CONF = """[global]
include={{libdir}}/internal.conf
rundir={run}
ipc_prefix=pushpin-
port_offset=0

[runner]
services=condure,zurl,pushpin-proxy,pushpin-handler
http_port=127.0.0.1:{http}
logdir={run}
log_level=2
client_maxconn=50000

[proxy]
# Debian's build points the proxy at a system-wide zurl; use the one this runner starts.
zurl_out_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-in
zurl_out_stream_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-in-stream
zurl_in_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-out
routesfile={routes}
sig_iss=pushpin
sig_key={key}
updates_check=off

[handler]
push_in_spec=tcp://127.0.0.1:{push_in}
push_in_sub_specs=tcp://127.0.0.1:{push_sub}
push_in_sub_connect=false
push_in_http_addr=127.0.0.1
push_in_http_port={control}
stats_spec=ipc://{{rundir}}/{{ipc_prefix}}stats
command_spec=tcp://127.0.0.1:{command}
message_rate=100000
message_hwm=100000
"""


class Pushpin:
    """Pushpin in front of an origin, with its control port for publishing (GRIP_URL)."""

    key = "agora-test-grip-key-of-32-bytes!"

    def __init__(self, binary: str, workdir: Path, origin_port: int) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.control_port = free_port()
        self.process: subprocess.Popen | None = None
        # Pushpin's ipc sockets live here: a Unix socket path must stay under 108 bytes,
        # which pytest's deep tmp_path folders do not.
        run = Path(tempfile.mkdtemp(prefix="agora-pp-"))
        self.rundir = run
        (workdir / "routes").write_text(f"* 127.0.0.1:{origin_port}\n")
        self.config = workdir / "pushpin.conf"
        self.config.write_text(
            PUSHPIN_CONF.format(
                run=run,
                http=self.port,
                routes=workdir / "routes",
                key=self.key,
                push_in=free_port(),
                push_sub=free_port(),
                control=self.control_port,
                command=free_port(),
            )
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def grip_url(self) -> str:
        return f"http://127.0.0.1:{self.control_port}?iss=pushpin&key={self.key}"

    def log(self) -> str:
        return (self.workdir / "pushpin.log").read_text(errors="replace")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--config", str(self.config), "--merge-output"],
            stdout=(self.workdir / "pushpin.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port)
        wait_for_port(self.control_port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        shutil.rmtree(self.rundir, ignore_errors=True)


@contextmanager
def pushpin(workdir: Path, origin_port: int) -> Iterator[Pushpin]:
    server = Pushpin(require("pushpin", "pushpin"), workdir, origin_port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def s3_server(tmp_path: Path) -> Iterator[str]:
    """moto's S3-compatible server (from PyPI, `moto[server]`), in its own process on a free
    port: the storage talks real HTTP to it, as to any bucket. Yields its endpoint URL."""
    port = free_port()
    log = tmp_path / "moto.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Relay:
    """A TCP relay from a free loopback port to `target_port`, which a test cuts and restores.

    Cut, it refuses new connections and closes the open ones, as a service that went away.
    """

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.target_port = target_port
        self.server: socketserver.ThreadingTCPServer | None = None
        self.open: set[socket.socket] = set()

    def start(self) -> None:
        relay = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                upstream = socket.create_connection(("127.0.0.1", relay.target_port))
                relay.open.update((self.request, upstream))
                try:
                    relay.pump(self.request, upstream)
                finally:
                    relay.open.difference_update((self.request, upstream))
                    upstream.close()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def pump(one: socket.socket, other: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(one, selectors.EVENT_READ, other)
            selector.register(other, selectors.EVENT_READ, one)
            while True:
                for key, _events in selector.select():
                    try:
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        key.data.sendall(data)
                    except OSError:
                        return

    def cut(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        for sock in list(self.open):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
