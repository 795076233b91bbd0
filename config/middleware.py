"""The project's own middleware."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.decorators import sync_only_middleware
from django.utils.translation import gettext as _


@sync_only_middleware
def sync_chain(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """One thread hop per request under ASGI, instead of one per middleware hook.

    Agora's views are sync, and WhiteNoise (near the top) is sync-only. Without this, Django runs
    the middleware below WhiteNoise in async mode, and each of their sync hooks (sessions, CSRF,
    locale, auth, messages...) hops from the event loop to the request's thread and back: about
    fifteen hops per request. This sync-only no-op, last in MIDDLEWARE, makes Django build the
    whole chain in sync mode. Agora's own ASGI handler (config/handlers.py) builds the chain
    in sync mode by itself and enters it once per request; this keeps any other ASGI handler
    (Django's, e.g. in a test) from running the chain in async mode. (docs/PERFORMANCE.md)
    """
    return get_response


class RequestTooLargeMiddleware:
    """A form over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 page with a message, not a bare 400.

    Django raises RequestDataTooBig where the form is first read: CSRF's check or the view;
    its own handler answers an empty "Bad Request (400)". Hence, before CsrfViewMiddleware,
    this reads the form of a POST that CSRF would read anyway. The API answers its own JSON
    413 (config/api.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        if request.method != "POST" or getattr(view, "csrf_exempt", False):
            return None
        try:
            request.POST  # noqa: B018 (parsed here, where its error can be answered)
        except RequestDataTooBig:
            return _too_large_page(request)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return _too_large_page(request)
        return None


def _too_large_page(request: HttpRequest) -> HttpResponse:
    message = _("What you sent is too large: at most %(size)s.") % {
        "size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    }
    return render(request, "too_large.html", {"message": message}, status=413)
