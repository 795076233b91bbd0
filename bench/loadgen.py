"""Many streaming clients in one process: SSE (text/event-stream) or WebSocket, raw asyncio.

One asyncio Protocol per connection, a minimal HTTP/1.1 GET (or WebSocket upgrade) and a
parser that only looks for what the benchmark needs, so that one process holds 10,000+
connections and its own CPU time stays small next to the server's.

Driven by the orchestrator (`bench/run.py`) over stdin/stdout, one JSON object a line:

    started:  {"event": "connected", "ok": N, "failed": F, "seconds": S, "errors": {...}}
    stdin:    expect <timeout-seconds>
    stdout:   {"event": "armed"}
    ...the orchestrator publishes one broadcast...
    stdout:   {"event": "received", "latencies": [...], "missing": M}
    stdin:    quit

Latency of a client = the time its copy of the event was complete (end of the SSE event or
of the WebSocket frame) minus the `created` stamp inside the payload (ISO time, written by
the server on the same machine's clock).
"""

import argparse
import asyncio
import base64
import json
import os
import re
import resource
import socket
import sys
import time
from contextlib import suppress
from datetime import datetime

CREATED = re.compile(rb'"created": ?"([^"]+)"')


def raise_fd_limit() -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def stamp(raw: bytes) -> float | None:
    match = CREATED.search(raw)
    if match is None:
        return None
    return datetime.fromisoformat(match.group(1).decode()).timestamp()


class Client(asyncio.Protocol):
    """One streaming connection. `ready` resolves when the stream is open."""

    __slots__ = ("buffer", "closed", "expecting", "headers_done", "ready", "received", "run")

    def __init__(self, run: "Run") -> None:
        self.run = run
        self.ready = run.loop.create_future()
        self.buffer = b""
        self.headers_done = False
        self.expecting = False
        self.received: float | None = None  # latency of the awaited event
        self.closed = False

    def connection_made(self, transport: asyncio.Transport) -> None:
        transport.write(self.run.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed before the stream opened: {exc}"))
        else:
            self.run.lost += 1

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        if not self.headers_done:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            status = buffer[: buffer.find(b"\r\n")]
            if b" 200 " not in status and b" 101 " not in status:
                self.ready.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.headers_done = True
            buffer = buffer[end + 4 :]
            if self.run.websocket:
                self.ready.set_result(None)
        self.buffer = self.run.parse(self, buffer)

    def event(self, raw: bytes) -> None:
        """A complete SSE event or WebSocket message."""
        if self.expecting and self.received is None:
            created = stamp(raw)
            if created is not None:
                self.received = time.time() - created
                self.expecting = False
                self.run.got += 1
                if self.run.got >= self.run.waiting_for:
                    self.run.all_received.set()


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.loop = asyncio.get_running_loop()
        self.websocket = args.mode == "ws"
        host_header = f"{args.host}:{args.port}"
        cookie = f"Cookie: {args.cookie}\r\n" if args.cookie else ""
        if self.websocket:
            key = base64.b64encode(os.urandom(16)).decode()
            self.request = (
                f"GET {args.path} HTTP/1.1\r\nHost: {host_header}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: http://{host_header}\r\n{cookie}\r\n"
            ).encode()
        else:
            self.request = (
                f"GET {args.path} HTTP/1.1\r\nHost: {host_header}\r\n"
                f"Accept: text/event-stream\r\nCache-Control: no-cache\r\n{cookie}\r\n"
            ).encode()
        self.clients: list[Client] = []
        self.got = 0
        self.waiting_for = 0
        self.lost = 0
        self.all_received = asyncio.Event()

    # --- parsers: return what is left of the buffer -------------------------------------
    def parse(self, client: Client, buffer: bytes) -> bytes:
        return self.parse_ws(client, buffer) if self.websocket else self.parse_sse(client, buffer)

    def parse_sse(self, client: Client, buffer: bytes) -> bytes:
        while True:
            end = buffer.find(b"\n\n")
            if end < 0:
                return buffer
            raw, buffer = buffer[:end], buffer[end + 2 :]
            if not client.ready.done():
                if b"event: stream-open" in raw:
                    client.ready.set_result(None)
                elif b"event: stream-error" in raw:
                    client.ready.set_exception(ConnectionError(raw.decode(errors="replace")))
                continue
            if raw.startswith(b"event: notification") or b"\nevent: notification" in raw:
                client.event(raw)

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
    async def open_one(self, source: str | None) -> Client:
        client = Client(self)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        if source:
            sock.bind((source, 0))
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
            raise
        return client

    async def connect_all(self) -> dict:
        errors: dict[str, int] = {}
        started = time.monotonic()
        remaining = self.args.count
        while remaining > 0:
            batch = min(self.args.batch, remaining)
            results = await asyncio.gather(
                *(self.open_one(self.args.source) for _ in range(batch)), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    name = f"{type(result).__name__}: {str(result)[:80]}"
                    errors[name] = errors.get(name, 0) + 1
                else:
                    self.clients.append(result)
            remaining -= batch
        seconds = time.monotonic() - started
        return {
            "event": "connected",
            "ok": len(self.clients),
            "failed": sum(errors.values()),
            "seconds": seconds,
            "errors": errors,
        }

    async def expect(self, timeout: float) -> dict:
        live = [c for c in self.clients if not c.closed]
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
            "lost": self.lost,
        }


def emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main(args: argparse.Namespace) -> None:
    raise_fd_limit()
    run = Run(args)
    emit(await run.connect_all())
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
        if words[0] == "expect":
            emit(await run.expect(float(words[1])))
    for client in run.clients:
        if not client.closed:
            client.closed = True
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
    parser.add_argument("--cookie", default="")
    parser.add_argument("--life", type=float, default=900, help="exit after this long idle")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
