"""One HTTP request through an ASGI application in-process, as daphne would make it."""

import asyncio
from dataclasses import dataclass


@dataclass
class Answer:
    status_code: int
    headers: dict[bytes, bytes]
    content: bytes


async def asgi_request(
    application, path: str, method: str = "GET", headers=(), body: bytes = b""
) -> Answer:
    """Send one request (`path` may carry a query string) and collect the whole answer."""
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    answered = asyncio.Event()
    sent: list[dict] = []

    async def receive() -> dict:
        if incoming:
            return incoming.pop()
        await answered.wait()  # then the client goes, as a closed connection does
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await application(scope, receive, send)
    answered.set()
    start, *body_messages = sent
    assert not body_messages[-1].get("more_body"), "the answer never ended"
    content = b"".join(m.get("body", b"") for m in body_messages)
    return Answer(start["status"], dict(start["headers"]), content)
