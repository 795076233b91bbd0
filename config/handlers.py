"""Agora's request handlers.

ASGI: Django's, with each request's sync work done in one thread hop. WSGI: Django's, reading
what a request's body left unread before it answers.
"""

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler
from django.core.handlers.asgi import get_script_prefix
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

# Requests served at once by one process (each on a thread of its own while it runs).
REQUEST_THREADS = 32
# Of those, how many run their Python at once: settings.REQUEST_TURNS (`Turns`); and after
# how long without one finishing another is let in anyway (the running ones wait on something:
# a slow query, a mail server).
STALL_SECONDS = 0.05
# How much of a body the WSGI application reads after an answer that did not need it (more than
# nginx's client_max_body_size in deploy/nginx/agora.conf; beyond, the connection is cut).
UNREAD_BODY_LIMIT = 16 * 1024 * 1024


class Lanes:
    """Reusable request threads: one single-thread executor per request while it runs.

    A request's work (its middleware, view and, for a streamed answer, the close that ends
    it) runs on one thread, as Django's thread-sensitive mode requires (the database
    connection belongs to the thread); unlike Django's handler, which starts a new thread
    for every request, the threads are kept for the next requests.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.started = 0
        self.idle: list[ThreadPoolExecutor] = []
        self.waiting: deque[asyncio.Future] = deque()

    async def acquire(self) -> ThreadPoolExecutor:
        if self.idle:
            return self.idle.pop()
        if self.started < self.size:
            self.started += 1
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="agora-request")
        waiter = asyncio.get_running_loop().create_future()
        self.waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(waiter.result())
            raise

    def release(self, lane: ThreadPoolExecutor) -> None:
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(lane)
                return
        self.idle.append(lane)


class Turns:
    """At most `limit` requests run their sync part at once, and more only when they stall.

    The sync part of a request (middleware, view, template) is Python holding the GIL, but
    for the moments it waits on the database or a system call. Eight of them on eight
    threads do not run faster than one after the other: they take the GIL from each other
    at every query, and each hand-over costs a context switch and cold caches (measured on
    the blog list, 8 connections: 17.5 ms of CPU per request on 32 threads against 12.4 ms
    with one turn, docs/PERFORMANCE.md). So requests take turns. A request that waits for
    a long time (a mail server, a locked database) must not hold up the others: when no
    turn has ended for `stall` seconds while requests wait, one more is let in, and so on
    every `stall` seconds until one ends; the number running falls back to `limit` as they
    finish.
    """

    def __init__(self, limit: int, stall: float) -> None:
        self.limit = limit
        self.stall = stall
        self.running = 0
        self.waiting: deque[asyncio.Future] = deque()
        self.progress = time.monotonic()  # when a turn last began or ended
        self.watchdog: asyncio.TimerHandle | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self.loop:  # a new event loop (tests run several): start afresh
            self.loop, self.running, self.waiting, self.watchdog = loop, 0, deque(), None
        if self.running < self.limit and not self.waiting:
            self._begin()
            return
        waiter = loop.create_future()
        self.waiting.append(waiter)
        self._arm()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the turn came as the request went away: pass it on
            raise

    def release(self) -> None:
        self.running -= 1
        self.progress = time.monotonic()
        while self.waiting and self.running < self.limit:
            self._admit()

    def _begin(self) -> None:
        self.running += 1
        self.progress = time.monotonic()

    def _admit(self) -> bool:
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():  # not gone meanwhile
                self._begin()
                waiter.set_result(None)
                return True
        return False

    def _arm(self) -> None:
        if self.watchdog is None and self.waiting:
            delay = max(0.0, self.progress + self.stall - time.monotonic())
            self.watchdog = self.loop.call_later(delay, self._check)

    def _check(self) -> None:
        self.watchdog = None
        if self.waiting and time.monotonic() - self.progress >= self.stall:
            self._admit()  # the running ones are stuck: one more goes
        self._arm()


class ASGIHandler(DjangoASGIHandler):
    """Django's ASGI handler, serving Agora's sync middleware and views as a WSGI worker would.

    Django's handler runs a sync chain through `sync_to_async` on a new thread per request,
    and hops between the event loop and that thread several times for each request (the
    request-started signal, the chain, the async core of the chain and the view, the close):
    several times what the request itself costs for a small page. Here the request goes to a
    kept thread once (`Lanes`): the started signal, the middleware chain (built in sync mode,
    as under WSGI) and the view run there, and so does the close of a whole (not streamed)
    answer, which fires `request_finished`; the event loop then sends the bytes. An async
    view still works: the sync core calls it through `async_to_sync`, as under WSGI.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lanes = Lanes(REQUEST_THREADS)
        # REQUEST_TURNS is Agora's setting; another settings module (a benchmark peer) gets one.
        self.turns = Turns(getattr(settings, "REQUEST_TURNS", 1), STALL_SECONDS)

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def handle(self, scope: dict, receive, send) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        loop = asyncio.get_running_loop()
        lane = await self.lanes.acquire()
        try:
            with closing(body_file):
                await self.turns.acquire()
                try:
                    response = await loop.run_in_executor(lane, self.respond, scope, body_file)
                finally:
                    self.turns.release()
                try:
                    await self.send_response(response, send)
                finally:
                    if response.streaming:
                        await loop.run_in_executor(lane, response.close)
        finally:
            self.lanes.release(lane)

    def respond(self, scope: dict, body_file) -> HttpResponseBase:
        """The request's answer, made on this thread as a WSGI handler would."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            # Its content is complete: close now, on the thread that owns the connection.
            response.close()
        return response


def reading_whole_bodies(application: Callable) -> Callable:
    """A WSGI application that reads the rest of each request's body before it answers.

    Django answers some requests without reading their body: a 413 over
    DATA_UPLOAD_MAX_MEMORY_SIZE (it trusts Content-Length), a 401 or 403 before the form is
    parsed. gunicorn then closes the connection with the rest of the body unread (it drains
    64 KB at most) and the kernel resets it; Pushpin, still sending that body, answers 502
    instead of Agora's answer. Reading the rest before the answer is written makes it arrive.
    A client that stops sending holds its thread here as it would in a view reading a form;
    nginx in front (deploy/) buffers each body before passing it on, so gunicorn never waits
    on a slow client. Under ASGI there is nothing to do: the handler reads the whole body
    before the view.
    """

    def read_whole_body(environ: dict, start_response: Callable) -> Iterable[bytes]:
        response = application(environ, start_response)
        body, left = environ["wsgi.input"], UNREAD_BODY_LIMIT
        try:
            while left > 0 and (chunk := body.read(min(left, 64 * 1024))):
                left -= len(chunk)
        except OSError:  # the client went away: nothing left to read
            pass
        return response

    return read_whole_body
