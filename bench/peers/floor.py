"""The floor: `daphne bench.peers.floor:application`, the least a stream server can do.

A bare ASGI application, no Django, on the same daphne as Agora. `GET /notifications/stream/`
answers 200 `text/event-stream` and `event: stream-open` and keeps the stream's `send`;
`POST /broadcast/` encodes one event once (a payload of the same shape and size as Agora's
notification, `created` stamped first) and hands that same frame to every open stream's
`send`, one after the other, then answers. Everything else answers 200 `ok` (the bench's
readiness check). What Agora spends above these figures is Agora's; below them is daphne's
(Twisted, the ASGI message per client) and the kernel's.
"""

import json
from datetime import UTC, datetime

STREAM_PATH = "/notifications/stream/"
OPEN = b"event: stream-open\ndata:\n\n"
HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]
# Agora's toast, as notify.services.event_payload renders it (about 1.25 KB once encoded).
TOAST = (
    '<div class="toast" role="status" data-notification-id="{id}" data-kind="new_post">\n'
    '  <p><a href="/posts/{id}/broadcast-{seq}/">{text}</a></p>\n'
    '  <button type="button" class="link" data-dismiss aria-label="{close}">×</button>\n'
    "</div>"
)
ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

streams: set = set()
state = {"seq": 0}


def frame(seq: int) -> bytes:
    created = datetime.now(UTC).isoformat()
    text = {"en": f"bench published “Broadcast {seq}”", "ru": f"Новая запись от bench: «{seq}»"}
    payload = {
        "id": 100000 + seq,
        "kind": "new_post",
        "channel": "notifications",
        "seq": seq,
        "actor": {"id": 1, "username": "bench"},
        "title": f"Broadcast {seq}",
        "url": f"/posts/{100000 + seq}/broadcast-{seq}/",
        "created": created,
        "text": text,
        "html": {
            "en": TOAST.format(id=100000 + seq, seq=seq, text=text["en"], close="Dismiss"),
            "ru": TOAST.format(id=100000 + seq, seq=seq, text=text["ru"], close="Закрыть"),
        },
    }
    data = json.dumps(payload).translate(ESCAPES)
    return f"event: notification\nid: notifications:{seq}\ndata: {data}\n\n".encode()


async def read_body(receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return


async def stream(receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": OPEN, "more_body": True})
    streams.add(send)
    try:
        while (await receive())["type"] != "http.disconnect":
            pass
    finally:
        streams.discard(send)


async def broadcast(receive, send) -> None:
    await read_body(receive)
    state["seq"] += 1
    message = {"type": "http.response.body", "body": frame(state["seq"]), "more_body": True}
    sent = 0
    for stream_send in list(streams):
        await stream_send(message)
        sent += 1
    await answer(send, json.dumps({"clients": sent, "bytes": len(message["body"])}).encode())


async def answer(send, body: bytes) -> None:
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def application(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["path"] == STREAM_PATH and scope["method"] == "GET":
        await stream(receive, send)
    elif scope["path"] == "/broadcast/" and scope["method"] == "POST":
        await broadcast(receive, send)
    else:
        await read_body(receive)
        await answer(send, b"ok")
