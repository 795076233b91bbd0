"""One thread hop per request under ASGI, instead of one per middleware hook.

Agora's views are sync, and WhiteNoise (near the top) is sync-only. Without this, Django runs
the middleware below WhiteNoise in async mode, and each of their sync hooks (sessions, CSRF,
locale, auth, messages...) hops from the event loop to the request's thread and back: about
fifteen hops per request. This sync-only no-op, last in MIDDLEWARE, makes Django build the
whole chain in sync mode: the request enters its thread once and runs like WSGI there.
(Measured by `make bench`, docs/PERFORMANCE.md.)
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.decorators import sync_only_middleware


@sync_only_middleware
def sync_chain(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    return get_response
