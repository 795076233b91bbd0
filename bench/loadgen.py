"""Many streaming clients in one process: SSE (text/event-stream) or WebSocket, raw asyncio.

One asyncio Protocol per client, a minimal HTTP/1.1 GET (or WebSocket upgrade) and a
parser that only looks for what the benchmark needs, so that one process holds 10,000+
connections and its own CPU time stays small next to the server's.

Driven by the orchestrator (`bench/fanout.py`, `bench/storm.py`) over stdin/stdout, one JSON
object a line:

    started:  {"event": "connected", "ok": N, "failed": F, "seconds": S, "errors": {...}}
    stdin:    expect <timeout-seconds>
    stdout:   {"event": "armed"}
    ...the orchestrator publishes one broadcast...
    stdout:   {"event": "received", "latencies": [...], "missing": M}
    stdin:    connect <n>          (n more clients; answers "connected" like the first ones)
    stdin:    quit

Latency of a client = the time its copy of the event was complete (end of the SSE event or
of the WebSocket frame) minus the `created` stamp inside the payload (ISO time, written by
the server on the same machine's clock).

`--cookies-file`: one `name=value` a line; client i sends line (offset + i) mod lines, so
the clients are spread round-robin over several signed-in users.

`--paths-file` (live pages, `bench/live.py`): one stream path a line; client i opens line
(`--path-offset` + i) mod lines. Every `live` event is counted; `live-count` answers
{"event": "live-count", "n": N, "last": time.time() of the last one}.

`--resume` (SSE, the restart storm): every client keeps the last SSE `id:` it saw (of any
event, `stream-open` included, as an EventSource does) and the `seq` of every notification;
when its stream ends it reconnects like a browser, after a random delay (`--retry-min` to
`--retry-max` seconds), again and again while the server is down, sending `Last-Event-ID`.
A reconnect answered with another status than 200 is given up, as an EventSource does.
Storm commands (stdin → stdout):

    storm-arm                      → {"event": "storm-armed", ...}: what the clients hold now
    storm-expect <seq,seq,...>     → {"event": "storm-expecting"}: the notifications they missed
    storm-report <t0> <timeout> <grace>
                                   → {"event": "storm-report", ...} once every client has them
                                     all, or all are back and `grace` s passed, or `timeout` s
                                     after t0 (time.time() of the restart command)
    storm-check <seq>              → {"event": "storm-checked", ...}: who has that one, once
"""

import argparse
import asyncio
import base64
import json
import os
import random
import re
import resource
import socket
import sys
import time
from contextlib import suppress
from datetime import datetime

CREATED = re.compile(rb'"created": ?"([^"]+)"')
SEQ = re.compile(rb'"seq": ?([0-9]+)')


def raise_fd_limit() -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def stamp(raw: bytes) -> float | None:
    match = CREATED.search(raw)
    if match is None:
        return None
    return datetime.fromisoformat(match.group(1).decode()).timestamp()


class Refused(ConnectionError):
    """The server answered, with another status than 200 (101): an EventSource gives up."""


class Client(asyncio.Protocol):
    """One streaming client. `ready` resolves when its (current) stream is open.

    With `--resume` the same object is the protocol of each of its successive connections.
    """

    __slots__ = (
        "attempts",
        "back_at",
        "buffer",
        "closed",
        "complete_at",
        "cookie",
        "expecting",
        "gave_up",
        "headers_done",
        "last_id",
        "open",
        "path",
        "pre_id",
        "pre_seqs",
        "ready",
        "received",
        "run",
        "seqs",
    )

    def __init__(self, run: "Run", cookie: str, path: str | None = None) -> None:
        self.run = run
        self.cookie = cookie
        self.path = path
        self.expecting = False
        self.received: float | None = None  # latency of the awaited event
        self.last_id: str | None = None  # the EventSource's "last event ID string"
        self.seqs: list[int] = []  # every notification's seq, in order (--resume only)
        self.pre_id: str | None = None  # at storm-arm
        self.pre_seqs = 0
        self.back_at: float | None = None  # stream open again after storm-arm
        self.complete_at: float | None = None  # has every missed seq
        self.attempts = 0  # reconnect attempts
        self.gave_up: str | None = None
        self.begin()

    def begin(self) -> None:
        """State of one connection."""
        previous = getattr(self, "ready", None)
        if previous is not None and previous.done() and not previous.cancelled():
            previous.exception()  # a failed attempt's: retrieved, so asyncio logs nothing
        self.ready = self.run.loop.create_future()
        self.buffer = b""
        self.headers_done = False
        self.open = False
        self.closed = False

    def connection_made(self, transport: asyncio.Transport) -> None:
        transport.write(self.run.request_for(self))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed before the stream opened: {exc}"))
            return
        if self.open:
            self.open = False
            self.run.lost += 1
            if self.run.args.resume and not self.run.stopping:
                self.run.loop.create_task(self.run.reconnect(self))

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        if not self.headers_done:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            status = buffer[: buffer.find(b"\r\n")]
            if b" 200 " not in status and b" 101 " not in status:
                if not self.ready.done():
                    self.ready.set_exception(Refused(status.decode(errors="replace")))
                self.buffer = b""
                return
            self.headers_done = True
            buffer = buffer[end + 4 :]
            if self.run.websocket:
                self.opened()
        self.buffer = self.run.parse(self, buffer)

    def opened(self) -> None:
        if self.ready.done():
            return
        self.open = True
        self.ready.set_result(None)
        if self.run.armed and self.back_at is None:
            self.back_at = time.time()
            self.run.back += 1

    def event(self, raw: bytes) -> None:
        """A complete SSE event or WebSocket message."""
        if self.run.track:
            match = SEQ.search(raw)
            if match is not None:
                self.record(int(match.group(1)))
        if self.expecting and self.received is None:
            created = stamp(raw)
            if created is not None:
                self.received = time.time() - created
                self.expecting = False
                self.run.got += 1
                if self.run.got >= self.run.waiting_for:
                    self.run.all_received.set()

    def record(self, seq: int) -> None:
        self.seqs.append(seq)
        missed = self.run.missed
        if missed and self.complete_at is None and missed <= set(self.seqs[self.pre_seqs :]):
            self.complete_at = time.time()
            self.run.complete += 1


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.loop = asyncio.get_running_loop()
        self.websocket = args.mode == "ws"
        self.track = args.resume
        host_header = f"{args.host}:{args.port}"
        if self.websocket:
            key = base64.b64encode(os.urandom(16)).decode()
            self.request = (
                f"GET {args.path} HTTP/1.1\r\nHost: {host_header}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: http://{host_header}\r\n"
            )
        else:
            self.request = (
                f"GET {args.path} HTTP/1.1\r\nHost: {host_header}\r\n"
                f"Accept: text/event-stream\r\nCache-Control: no-cache\r\n"
            )
        self.cookies = [args.cookie] if args.cookie else [""]
        if args.cookies_file:
            with open(args.cookies_file) as f:
                self.cookies = [line.strip() for line in f if line.strip()]
        self.paths: list[str] = []
        if args.paths_file:
            with open(args.paths_file) as f:
                self.paths = [line.strip() for line in f if line.strip()]
        self.live_events = 0
        self.live_last = 0.0
        self.clients: list[Client] = []
        self.opened = 0  # clients ever made (for the round-robin cookie)
        self.got = 0
        self.waiting_for = 0
        self.lost = 0
        self.all_received = asyncio.Event()
        self.stopping = False
        # The restart storm.
        self.armed = False
        self.missed: set[int] = set()
        self.back = 0
        self.complete = 0
        self.retry_errors: dict[str, int] = {}

    def request_for(self, client: Client) -> bytes:
        head = self.request
        if client.path is not None:
            head = head.replace(f"GET {self.args.path} ", f"GET {client.path} ", 1)
        if client.cookie:
            head += f"Cookie: {client.cookie}\r\n"
        if client.last_id:
            head += f"Last-Event-ID: {client.last_id}\r\n"
        return (head + "\r\n").encode()

    # --- parsers: return what is left of the buffer -------------------------------------
    def parse(self, client: Client, buffer: bytes) -> bytes:
        return self.parse_ws(client, buffer) if self.websocket else self.parse_sse(client, buffer)

    def parse_sse(self, client: Client, buffer: bytes) -> bytes:
        while True:
            end = buffer.find(b"\n\n")
            if end < 0:
                return buffer
            raw, buffer = buffer[:end], buffer[end + 2 :]
            if self.track and b"id:" in raw:
                for line in raw.split(b"\n"):
                    # The SSE `id` field: one optional space after the colon; NUL: ignored.
                    if line.startswith(b"id:") and b"\0" not in line:
                        value = line[3:]
                        client.last_id = (value[1:] if value[:1] == b" " else value).decode()
            if not client.ready.done():
                if b"event: stream-open" in raw:
                    client.opened()
                elif b"event: stream-error" in raw:
                    client.ready.set_exception(ConnectionError(raw.decode(errors="replace")))
                    continue
                if not self.track:
                    continue
            if raw.startswith(b"event: notification") or b"\nevent: notification" in raw:
                client.event(raw)
            elif raw.startswith(b"event: live\n") or b"\nevent: live\n" in raw:  # chunked
                self.live_events += 1
                self.live_last = time.time()

    def parse_ws(self, client: Client, buffer: bytes) -> bytes:
        while len(buffer) >= 2:
            opcode = buffer[0] & 0x0F
            length = buffer[1] & 0x7F
            offset = 2
            if length == 126:
                if len(buffer) < 4:
                    return buffer
                length = int.from_bytes(buffer[2:4], "big")
                offset = 4
            elif length == 127:
                if len(buffer) < 10:
                    return buffer
                length = int.from_bytes(buffer[2:10], "big")
                offset = 10
            if len(buffer) < offset + length:
                return buffer
            payload, buffer = buffer[offset : offset + length], buffer[offset + length :]
            if opcode in (1, 2):  # text or binary; pings and closes say nothing here
                client.event(payload)
        return buffer

    # --- phases ---------------------------------------------------------------------------
    def new_client(self) -> Client:
        cookie = self.cookies[(self.args.cookie_offset + self.opened) % len(self.cookies)]
        path = None
        if self.paths:
            path = self.paths[(self.args.path_offset + self.opened) % len(self.paths)]
        self.opened += 1
        return Client(self, cookie, path)

    async def open_one(self, client: Client) -> Client:
        client.begin()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        if self.args.source:
            sock.bind((self.args.source, 0))
        transport = None
        try:
            await asyncio.wait_for(
                self.loop.sock_connect(sock, (self.args.host, self.args.port)), self.args.timeout
            )
            transport, _ = await self.loop.create_connection(lambda: client, sock=sock)
            await asyncio.wait_for(asyncio.shield(client.ready), self.args.timeout)
        except BaseException:
            # The transport owns the socket once made: closing only the socket would leave
            # its file descriptor registered, and the next connection to reuse it would fail.
            if transport is not None:
                transport.abort()
            else:
                sock.close()
            if client.ready.done() and not client.ready.cancelled():
                client.ready.exception()  # retrieved: no "never retrieved" warning
            raise
        return client

    async def reconnect(self, client: Client) -> None:
        """As an EventSource: wait, try again; again while the server is unreachable."""
        while not self.stopping:
            await asyncio.sleep(random.uniform(self.args.retry_min, self.args.retry_max))
            client.attempts += 1
            try:
                await self.open_one(client)
                return
            except Refused as exc:
                client.gave_up = str(exc)[:80]
                return
            except Exception as exc:
                name = f"{type(exc).__name__}: {str(exc)[:60]}"
                self.retry_errors[name] = self.retry_errors.get(name, 0) + 1

    async def connect_all(self, count: int) -> dict:
        errors: dict[str, int] = {}
        started = time.monotonic()
        remaining = count
        ok = 0
        while remaining > 0:
            batch = min(self.args.batch, remaining)
            clients = [self.new_client() for _ in range(batch)]
            results = await asyncio.gather(
                *(self.open_one(c) for c in clients), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    name = f"{type(result).__name__}: {str(result)[:80]}"
                    errors[name] = errors.get(name, 0) + 1
                else:
                    self.clients.append(result)
                    ok += 1
            remaining -= batch
        seconds = time.monotonic() - started
        return {
            "event": "connected",
            "ok": ok,
            "failed": sum(errors.values()),
            "seconds": seconds,
            "errors": errors,
        }

    async def expect(self, timeout: float) -> dict:
        live = [c for c in self.clients if c.open]
        for client in live:
            client.received = None
            client.expecting = True
        self.got = 0
        self.waiting_for = len(live)
        self.all_received.clear()
        emit({"event": "armed"})
        with suppress(TimeoutError):
            await asyncio.wait_for(self.all_received.wait(), timeout)
        latencies = [c.received for c in live if c.received is not None]
        for client in live:
            client.expecting = False
        return {
            "event": "received",
            "latencies": latencies,
            "missing": len(live) - len(latencies),
            "not_open": len(self.clients) - len(live),
            "lost": self.lost,
        }

    # --- the restart storm ----------------------------------------------------------------
    def storm_arm(self) -> dict:
        self.armed = True
        for c in self.clients:
            c.pre_id = c.last_id
            c.pre_seqs = len(c.seqs)
        return {
            "event": "storm-armed",
            "clients": len(self.clients),
            "open": sum(c.open for c in self.clients),
            "id_from_event": sum(bool(c.pre_id and c.pre_seqs) for c in self.clients),
            "id_from_open_only": sum(bool(c.pre_id and not c.pre_seqs) for c in self.clients),
            "no_id": sum(not c.pre_id for c in self.clients),
        }

    def storm_expect(self, seqs: list[int]) -> dict:
        self.missed = set(seqs)
        return {"event": "storm-expecting"}

    async def storm_report(self, t0: float, timeout: float, grace: float) -> dict:
        total = len(self.clients)
        all_back_at = None
        while True:
            now = time.time()
            if self.complete >= total:
                # Everybody has everything: a moment more, for duplicates still on their way.
                await asyncio.sleep(min(grace, 2.0))
                break
            if now - t0 >= timeout:
                break
            if self.back + sum(c.gave_up is not None for c in self.clients) >= total:
                all_back_at = all_back_at or now
                if now - all_back_at >= grace:
                    break
            await asyncio.sleep(0.1)
        groups = {"id_from_event": [], "id_from_open_only": [], "no_id": []}
        for c in self.clients:
            key = (
                "no_id" if not c.pre_id else "id_from_event" if c.pre_seqs else "id_from_open_only"
            )
            groups[key].append(c)

        def stats(clients: list[Client]) -> dict:
            exact = missing_clients = missing_events = dup_clients = dup_events = other = 0
            for c in clients:
                after = c.seqs[c.pre_seqs :]
                dups = len(c.seqs) - len(set(c.seqs))
                lacking = len(self.missed - set(after))
                exact += sorted(after) == sorted(self.missed)
                missing_clients += lacking > 0
                missing_events += lacking
                dup_clients += dups > 0
                dup_events += dups
                other += len(set(after) - self.missed - set(c.seqs[: c.pre_seqs]))
            return {
                "clients": len(clients),
                "back": sum(c.back_at is not None for c in clients),
                "exact": exact,
                "missing_clients": missing_clients,
                "missing_events": missing_events,
                "duplicate_clients": dup_clients,
                "duplicate_events": dup_events,
                "unexpected_events": other,
            }

        return {
            "event": "storm-report",
            **stats(self.clients),
            "groups": {k: stats(v) for k, v in groups.items()},
            "back_seconds": [c.back_at - t0 for c in self.clients if c.back_at is not None],
            "complete_seconds": [
                c.complete_at - t0 for c in self.clients if c.complete_at is not None
            ],
            "reconnect_attempts": sum(c.attempts for c in self.clients),
            "retry_errors": self.retry_errors,
            "gave_up": sum(c.gave_up is not None for c in self.clients),
            "gave_up_reasons": sorted({c.gave_up for c in self.clients if c.gave_up})[:5],
            "waited_seconds": time.time() - t0,
        }

    def storm_check(self, seq: int) -> dict:
        return {
            "event": "storm-checked",
            "clients": len(self.clients),
            "once": sum(c.seqs.count(seq) == 1 for c in self.clients),
            "missing": sum(seq not in c.seqs for c in self.clients),
            "duplicate_clients": sum(len(c.seqs) > len(set(c.seqs)) for c in self.clients),
            "duplicate_events": sum(len(c.seqs) - len(set(c.seqs)) for c in self.clients),
        }


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main(args: argparse.Namespace) -> None:
    raise_fd_limit()
    run = Run(args)
    emit(await run.connect_all(args.count))
    reader = asyncio.StreamReader()
    await run.loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        try:
            line = await asyncio.wait_for(reader.readline(), args.life)
        except TimeoutError:
            break  # the orchestrator is gone: never outlive it
        words = line.decode().split()
        if not words or words[0] == "quit":
            break
        match words[0]:
            case "expect":
                emit(await run.expect(float(words[1])))
            case "connect":
                emit(await run.connect_all(int(words[1])))
            case "storm-arm":
                emit(run.storm_arm())
            case "storm-expect":
                emit(run.storm_expect([int(s) for s in words[1].split(",") if s]))
            case "storm-report":
                emit(await run.storm_report(*map(float, words[1:4])))
            case "storm-check":
                emit(run.storm_check(int(words[1])))
            case "live-count":
                emit({"event": "live-count", "n": run.live_events, "last": run.live_last})
            case _:
                emit({"event": "error", "text": f"unknown command {words[0]}"})
    run.stopping = True
    os._exit(0)  # closing 10,000 transports one by one is slow and measures nothing


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["sse", "ws"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/notifications/stream/")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--batch", type=int, default=100, help="connections opened at once")
    parser.add_argument("--timeout", type=float, default=60, help="per connection")
    parser.add_argument("--source", default=None, help="source address, e.g. 127.0.0.2")
    parser.add_argument("--cookie", default="", help="one Cookie header value for every client")
    parser.add_argument("--cookies-file", default="", help="Cookie values, one a line")
    parser.add_argument("--cookie-offset", type=int, default=0, help="first line to use")
    parser.add_argument("--paths-file", default="", help="stream paths, one a line")
    parser.add_argument("--path-offset", type=int, default=0, help="first line to use")
    parser.add_argument("--resume", action="store_true", help="reconnect like an EventSource")
    parser.add_argument("--retry-min", type=float, default=1.0)
    parser.add_argument("--retry-max", type=float, default=3.0)
    parser.add_argument("--life", type=float, default=900, help="exit after this long idle")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
