"""A real streaming HTTP client for server-sent events, reading in a background thread."""

import contextlib
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx


@dataclass
class SSEEvent:
    event: str
    data: str
    id: str | None

    @property
    def json(self):
        return json.loads(self.data)


def parse_events(text: str) -> list[SSEEvent]:
    """The events in a complete SSE body (say, a refusal's)."""
    events = []
    fields: dict[str, list[str]] = {}
    for line in [*text.splitlines(), ""]:
        if line == "":
            if fields:
                events.append(
                    SSEEvent(
                        event=(fields.get("event") or ["message"])[0],
                        data="\n".join(fields.get("data", [])),
                        id=(fields.get("id") or [None])[0],
                    )
                )
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields.setdefault(name, []).append(value.removeprefix(" "))
    return events


@dataclass
class SSEClient:
    url: str
    cookies: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    verify: bool | ssl.SSLContext = True  # trusting a test's own certificate
    status: int | None = None
    response_headers: dict = field(default_factory=dict)
    body: str = ""
    events: list[SSEEvent] = field(default_factory=list)
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._opened.wait(15):
            raise TimeoutError(f"no response from {self.url}")

    def _run(self) -> None:
        try:
            with (
                httpx.Client(
                    cookies=self.cookies, timeout=httpx.Timeout(5, read=None), verify=self.verify
                ) as client,
                client.stream("GET", self.url, headers=self.headers) as response,
            ):
                self._response = response
                self.status = response.status_code
                self.response_headers = dict(response.headers)
                if response.status_code != 200:
                    self.body = response.read().decode()
                    self._opened.set()
                    return
                self._read(response)
        except BaseException as exc:  # reported to the test through .error
            self.error = exc
        finally:
            self._opened.set()

    def _read(self, response: httpx.Response) -> None:
        fields: dict[str, list[str]] = {}
        for line in response.iter_lines():
            if self._stop.is_set():
                return
            if line == "":
                if fields:
                    event = SSEEvent(
                        event=(fields.get("event") or ["message"])[0],
                        data="\n".join(fields.get("data", [])),
                        id=(fields.get("id") or [None])[0],
                    )
                    with self._lock:
                        self.events.append(event)
                    if event.event == "stream-open":
                        self._opened.set()
                fields = {}
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields.setdefault(name, []).append(value.removeprefix(" "))

    def of_type(self, name: str = "notification") -> list[SSEEvent]:
        with self._lock:
            return [e for e in self.events if e.event == name]

    def wait_for(
        self, predicate: Callable[[list[SSEEvent]], bool], timeout: float = 10
    ) -> list[SSEEvent]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                snapshot = list(self.events)
            if predicate(snapshot):
                return snapshot
            if self.error is not None:
                raise AssertionError(f"stream failed: {self.error!r}")
            time.sleep(0.05)
        raise AssertionError(f"timed out; events so far: {snapshot}")

    def wait_notifications(self, count: int, timeout: float = 10) -> list[SSEEvent]:
        self.wait_for(
            lambda events: len([e for e in events if e.event == "notification"]) >= count,
            timeout,
        )
        return self.of_type("notification")

    @property
    def ended(self) -> bool:
        """The connection is over (the server closed it, or it failed)."""
        return not self._thread.is_alive()

    def last_id(self) -> str | None:
        with self._lock:
            ids = [e.id for e in self.events if e.id and e.id != "error"]
        return ids[-1] if ids else None

    def close(self) -> None:
        self._stop.set()
        response = getattr(self, "_response", None)
        if response is not None:
            # The reader thread may be mid-read; closing under it is the point.
            with contextlib.suppress(Exception):
                response.close()
