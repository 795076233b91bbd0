"""The project's own middleware."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.decorators import sync_only_middleware
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from config import versions


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


class AuthenticationMiddleware(DjangoAuthentication):
    """Django's, with the signed-in user kept under the content version (config/versions.py).

    Django reads the session's user with an ORM `get` on every signed-in request (~0.25 ms).
    Here the user, as `django.contrib.auth.get_user` found and verified it, is kept under the
    content version, the user's id, the backend and the session's password hash: any write
    to the user (a new password, deactivation, a rename, the last login) moves the version
    on, and a session whose hash no longer matches is never a hit. `request.auser` is
    Django's.
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: kept_user(request))


def kept_user(request: HttpRequest):
    if not hasattr(request, "_cached_user"):
        request._cached_user = _kept_user(request)
    return request._cached_user


def _kept_user(request: HttpRequest):
    session = request.session
    try:
        who = (session[SESSION_KEY], session[BACKEND_SESSION_KEY], session.get(HASH_SESSION_KEY))
    except KeyError:
        return AnonymousUser()  # nobody signed in: no query either way
    version = versions.current()
    if version is None:  # this thread's own content writes are pending
        return auth.get_user(request)
    key = versions.key_for(version, ("user", *who))
    user = versions.kept(key)
    if user is None:
        user = auth.get_user(request)
        # Only a user verified against this very hash (not one let in by an old secret key,
        # whose session Django has just given a new hash).
        if user.is_authenticated and session.get(HASH_SESSION_KEY) == who[2]:
            versions.keep(key, user)
    return user
