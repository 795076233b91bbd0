"""The live stream's own ASGI application: what a stream needs, and nothing more.

A stream connect does not go through Django's request handler and middleware (about 3 ms of
CPU each): it reads the query string and three headers, finds the user from the session
cookie or an allauth `X-Session-Token` (two indexed reads, none for an anonymous reader),
checks the channels with `notify.channels.can_read`, and registers with the process's hub
(`notify.hub`), which holds every channel's position in memory. Events then come from the hub
as pre-encoded bytes. The protocol is django-eventstream's (`notify.eventstream`).

Every request it refuses gets a 4xx (or a 503 when the database is away) with a
`stream-error` event, at once; nothing a client sends can make it hang or fail.
"""

import asyncio
import json
import logging
import re
from dataclasses import dataclass, field
from importlib import import_module
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.http.cookie import parse_cookie

from notify import eventstream
from notify.channels import (
    MAX_CHANNELS,
    can_read,
    default_channels,
    is_object_channel,
    objects_readable,
)
from notify.hub import Batch, Stream, hub, run_db

logger = logging.getLogger(__name__)

# `channel:seq`: a channel name (percent-encoded as django-eventstream writes it) and a
# position that fits a database bigint.
_POSITION = re.compile(r"([^:,\s]+):(0|[1-9][0-9]{0,18})")
_MAX_POSITION = 2**63 - 1
_MILLISECONDS = re.compile(r"[0-9]{1,15}")
# django-eventstream's parameters for a GRIP proxy's own requests; meaningless elsewhere.
GRIP_PARAMETERS = ("es-meta", "recover", "link", "personal")

_HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]


class StreamRefused(Exception):
    def __init__(self, status: int, condition: str, text: str, extra: dict | None = None):
        super().__init__(text)
        self.status = status
        self.condition = condition
        self.text = text
        self.extra = extra or {}

    def body(self) -> bytes:
        return eventstream.encode_error(self.condition, self.text, self.extra)


def bad_request(text: str) -> StreamRefused:
    return StreamRefused(400, "bad-request", f"Invalid request: {text}.")


def parse_last_event_id(value: str) -> dict[str, int]:
    """`notifications:41,user-7:40` -> positions; anything else is a bad request."""
    positions: dict[str, int] = {}
    for part in value.split(","):
        match = _POSITION.fullmatch(part)
        if match is None or int(match.group(2)) > _MAX_POSITION:
            raise bad_request("malformed Last-Event-ID or lastEventId")
        positions[unquote(match.group(1))] = int(match.group(2))
    return positions


def last_event_id(query: QueryDict, header: str | None) -> str:
    """The header, else the last non-empty `lastEventId` (as django-eventstream reads them)."""
    if header:
        return header
    for value in reversed(query.getlist("lastEventId")):
        if value:
            return value
    return ""


def asked_channels(query: QueryDict) -> list[str] | None:
    if "channel" not in query:
        return None
    asked = list(dict.fromkeys(query.getlist("channel")))
    if len(asked) > MAX_CHANNELS:
        raise bad_request(f"at most {MAX_CHANNELS} channels")
    return asked


def check_channels(
    channels: list[str],
    user_id: int | None,
    objects: dict[tuple[int | None, str], bool] | None = None,
) -> None:
    """Refuse unless `user_id` may read every channel; `objects`: the looked-up ones."""

    def allowed(channel: str) -> bool:
        if objects is not None and (user_id, channel) in objects:
            return objects[user_id, channel]
        return can_read(user_id, channel)

    denied = sorted(channel for channel in channels if not allowed(channel))
    if denied:
        raise StreamRefused(
            403,
            "forbidden",
            f"Permission denied to channels: {', '.join(denied)}",
            {"channels": denied},
        )


def rendered_at(query: QueryDict) -> float | None:
    """`live_since`: when the page was rendered, in ms since the epoch (notify.live)."""
    value = query.get("live_since")
    if value is None:
        return None
    if not _MILLISECONDS.fullmatch(value):
        raise bad_request("live_since must be a time in milliseconds since the epoch")
    return int(value) / 1000


def resume_positions(query: QueryDict, header: str | None) -> dict[str, int]:
    value = last_event_id(query, header)
    if value == "error":
        raise bad_request("can't resume a stream after stream-error")
    return parse_last_event_id(value) if value else {}


class InvalidToken(Exception):
    pass


def authenticate(session_key: str | None, token: str | None) -> int | None:
    user = authenticated_user(session_key, token)
    return None if user is None else user.pk


def authenticated_user(session_key: str | None, token: str | None):
    """The signed-in user, from an allauth session token or the session cookie.

    A token that names no live session raises InvalidToken (as the API answers 401); a
    cookie that does is simply anonymous, as on every page.
    """
    from django.contrib.auth import get_user

    if token:
        from allauth.headless import app_settings as headless_settings

        session = headless_settings.TOKEN_STRATEGY.lookup_session(token)
        if session is None:
            raise InvalidToken
    else:
        engine = import_module(settings.SESSION_ENGINE)
        session = engine.SessionStore(session_key)
    holder = HttpRequest()
    holder.session = session
    user = get_user(holder)  # checks the session's auth hash and that the user is active
    if not user.is_authenticated:
        if token:
            raise InvalidToken
        return None
    return user


def session_users(session_keys: list[str]) -> dict[str, int | None]:
    """The user of each session cookie, for a batch of stream connects: two queries in all.

    It decides as django.contrib.auth.get_user does (the session exists and has not expired,
    names a configured backend, the user exists and may sign in, the session's auth hash is
    the user's, or one made with a SECRET_KEY_FALLBACKS key), reading every session and every
    user of the batch at once. A stream only reads: a session that fails is anonymous here
    and is flushed by the next page it asks for. With a session engine that is not the
    database's, or a backend with its own get_user, each goes through get_user instead.
    """
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
        load_backend,
    )
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from django.utils.crypto import constant_time_compare

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store_class, DbSessionStore):
        return {key: authenticate(key, None) for key in session_keys}
    rows = (
        store_class.get_model_class()
        .objects.filter(session_key__in=session_keys, expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
    )
    User = get_user_model()
    claims: dict[str, tuple] = {}
    for key, data in rows:
        session = store_class().decode(data)
        backend_path = session.get(BACKEND_SESSION_KEY)
        if SESSION_KEY not in session or backend_path not in settings.AUTHENTICATION_BACKENDS:
            continue
        backend = load_backend(backend_path)
        if type(backend).get_user is not ModelBackend.get_user:
            claims[key] = (None, backend, None)  # decided by get_user below
            continue
        try:
            user_id = User._meta.pk.to_python(session[SESSION_KEY])
        except ValidationError:
            continue
        claims[key] = (user_id, backend, session.get(HASH_SESSION_KEY))
    users = User._default_manager.in_bulk({c[0] for c in claims.values() if c[0] is not None})
    answers: dict[str, int | None] = dict.fromkeys(session_keys)
    for key, (user_id, backend, session_hash) in claims.items():
        if user_id is None:
            answers[key] = authenticate(key, None)
            continue
        user = users.get(user_id)
        if user is None or not backend.user_can_authenticate(user) or not session_hash:
            continue
        if constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
            constant_time_compare(session_hash, fallback)
            for fallback in user.get_session_auth_fallback_hash()
        ):
            answers[key] = user.pk
    return answers


_sessions = Batch(session_users)
_objects = Batch(objects_readable)


@dataclass
class StreamRequest:
    method: str
    query: QueryDict
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_scope(cls, scope: dict) -> "StreamRequest":
        headers = {}
        for name, value in scope.get("headers", ()):
            if name in (b"cookie", b"last-event-id", b"x-session-token"):
                headers[name.decode()] = value.decode("latin-1")
        return cls(scope["method"], QueryDict(scope.get("query_string", b"")), headers)

    def session_key(self) -> str | None:
        cookies = parse_cookie(self.headers.get("cookie", ""))
        return cookies.get(settings.SESSION_COOKIE_NAME) or None


async def refuse(send, refused: StreamRefused, headers_only: bool = False) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": refused.status,
            "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")],
        }
    )
    await send({"type": "http.response.body", "body": b"" if headers_only else refused.body()})


async def application(scope: dict, receive, send) -> None:
    """`GET /notifications/stream/`, for every client this process holds itself."""
    if scope["method"] not in ("GET", "HEAD"):
        await send(
            {
                "type": "http.response.start",
                "status": 405,
                "headers": [(b"allow", b"GET, HEAD"), (b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"Method not allowed: use GET.\n"})
        return
    hub.ensure_started()
    head = scope["method"] == "HEAD"
    try:
        request = StreamRequest.from_scope(scope)
        if any(name in request.query for name in GRIP_PARAMETERS):
            raise bad_request("es-meta, recover, link and personal are for a GRIP proxy only")
        asked = asked_channels(request.query)
        positions = resume_positions(request.query, request.headers.get("last-event-id"))
        rendered = rendered_at(request.query)
        token = request.headers.get("x-session-token")
        session_key = request.session_key()
        user_id = None
        if token:
            try:
                user_id = await run_db(authenticate, None, token)
            except InvalidToken:
                raise StreamRefused(
                    401, "not-authenticated", "The session token is invalid or has expired."
                ) from None
        elif session_key:
            # Connects that arrive together (a restart storm) are read in one batch.
            user_id = await _sessions.get(session_key)
        channels = default_channels(user_id) if asked is None else asked
        # A post's or a product's channel: is it there, may this reader see it? Connects that
        # arrive together are looked up in one batch.
        asked_objects = [(user_id, c) for c in channels if is_object_channel(c)]
        found = await asyncio.gather(*(_objects.get(key) for key in asked_objects))
        check_channels(channels, user_id, dict(zip(asked_objects, found, strict=True)))
    except StreamRefused as refused:
        await refuse(send, refused, head)
        return
    except Exception:
        logger.exception("could not open a stream")
        await refuse(send, StreamRefused(503, "internal-error", "Try again shortly."), head)
        return
    if head:
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
        await send({"type": "http.response.body", "body": b""})
        return
    del request, scope
    await _serve(Stream(send), channels, positions, rendered, receive, send)


async def _serve(
    stream: Stream, channels: list[str], positions, rendered: float | None, receive, send
) -> None:
    try:
        try:
            resets = await hub.attach(stream, channels, positions)
        except Exception:
            logger.exception("could not open a stream")
            await refuse(send, StreamRefused(503, "internal-error", "Try again shortly."))
            return
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
        stream.started = True
        # The position the stream starts from, as the id of its first event: a client that
        # then receives nothing still resumes exactly after a restart.
        event_id = stream.event_id()
        # Live channels unchanged since the page was rendered: it need not fetch them again.
        current = stream.live_channels and hub.live_current(stream.live_channels, rendered)
        data = '{"live": "current"}' if current else ""
        opening = eventstream.encode_event("stream-open", data, event_id=event_id)
        if resets:
            data = json.dumps({"channels": resets})
            opening += eventstream.encode_event("stream-reset", data, event_id=event_id)
        await stream.write(opening)
        await hub.replay(stream)
        while (await receive())["type"] != "http.disconnect":
            pass
    finally:
        hub.detach(stream)
