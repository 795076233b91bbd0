"""Serving the event stream without an OS thread per open connection.

Django's ASGI handler gives every request a thread of its own for its sync code (asgiref's
ThreadSensitiveContext) and keeps it until the response ends: for a stream, as long as the
browser stays. With 10,000 open EventSources that is 10,000 idle threads (about 250 KB of
memory each, and a thread start per connection). Stream requests run their short sync steps
(middleware, the view, django-eventstream's history reads) in the process's one shared sync
thread instead, one after the other; the waiting in between is pure asyncio.
"""

from django.core.handlers.asgi import ASGIHandler


class StreamHandler(ASGIHandler):
    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django serves only HTTP, not {scope['type']}")
        await self.handle(scope, receive, send)
