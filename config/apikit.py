"""What every app's API router shares: authentication, pagination, the error and user schemas.

It lives apart from `config/api.py` because the routers import it and `config/api.py`
imports the routers.
"""

from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

from allauth.headless.contrib.ninja.security import XSessionTokenAuth
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, Schema
from ninja.errors import AuthenticationError
from ninja.pagination import PaginationBase
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf
from pydantic import AfterValidator, ConfigDict

from config import versions

TOKEN_HEADER = "X-Session-Token"  # noqa: S105 (a header name)
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Far beyond any list Agora will hold, and far below what a database integer can take.
MAX_OFFSET = 1_000_000_000


class InvalidToken(AuthenticationError):
    """An X-Session-Token that names no live session: expired, logged out or made up."""


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


class SessionTokenAuth(XSessionTokenAuth):
    """allauth headless (app client): `X-Session-Token` from `/_allauth/app/v1/auth/login`."""

    openapi_in = "header"
    openapi_name = TOKEN_HEADER
    openapi_description = (
        "A session token of django-allauth's headless API (app client): "
        "`POST /_allauth/app/v1/auth/login` with `username` and `password` returns it in "
        "`meta.session_token`."
    )

    def __call__(self, request: HttpRequest) -> AbstractBaseUser | None:
        if not self.get_session_token(request):
            return None
        user = super().__call__(request)
        if user is None:
            # A token was sent and is no good: say so, rather than quietly serving an
            # anonymous answer or trying the session cookie.
            raise InvalidToken(message=gettext("The session token is invalid or has expired."))
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's Django session (cookie), with Django's CSRF check on unsafe methods."""

    openapi_description = (
        "The session cookie of a browser signed in to Agora. Unsafe methods need the "
        "`X-CSRFToken` header (the `csrftoken` cookie's value); /api/docs sends it."
    )

    def __call__(self, request: HttpRequest) -> AbstractBaseUser | None:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        if check_csrf(request) is not None:
            raise CsrfFailed(gettext("CSRF check failed: send the X-CSRFToken header."))
        return request.COOKIES.get(self.param_name)


def anonymous(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """Let a read through for anybody; `request.user` is who it is (maybe nobody)."""
    return request.user


session_auth = SessionAuth()
token_auth = SessionTokenAuth()
# Writes need a user; reads know the user when there is one. The token comes first: a
# client that sends one means it, and a bad one is a 401, not a CSRF failure.
WRITE_AUTH = [token_auth, session_auth]
READ_AUTH = [token_auth, session_auth, anonymous]


JSON = "application/json; charset=utf-8"
KEEP_AS = "agora_keep_as"


def kept_answer(view: Callable) -> Callable:
    """A read answered once per content version for each caller and URL (config/versions.py).

    Goes between `@router.get` and the view (and its `@paginate`): it runs after the
    caller is authenticated, so the key names who asks; the JSON that ninja makes of the
    view's result on a miss is kept by `config.api.AgoraAPI.create_response`. On a hit the
    query, the model instances and their validation and serialization are all skipped.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        version = versions.current()
        if version is not None:
            # The absolute URL: the answer's next and previous links name the host.
            caller = getattr(request.auth, "pk", None)
            key = versions.key_for(version, ("api", caller, request.build_absolute_uri()))
            content = versions.kept(key)
            if content is not None:
                return HttpResponse(content, content_type=JSON)
            setattr(request, KEEP_AS, key)
        return view(request, *args, **kwargs)

    return wrapper


def _no_null_characters(value: str) -> str:
    if "\x00" in value:
        raise ValueError(gettext("Null characters are not allowed."))
    return value


# Every string a client sends: PostgreSQL refuses NUL bytes, so they are refused up front.
Text = Annotated[str, AfterValidator(_no_null_characters)]


class InSchema(Schema):
    """Request bodies: a field the API does not know is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ErrorBody(Schema):
    code: str = Field(description="Stable machine-readable reason, e.g. `out_of_stock`.")
    message: str = Field(description="Human-readable, in the request's language.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per-field messages for invalid input; `__all__` for the whole input.",
    )


class ErrorOut(Schema):
    """The one error shape of the whole API."""

    error: ErrorBody


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation declares."""
    return dict.fromkeys(statuses, ErrorOut)


class UserOut(Schema):
    """A person as other people see them."""

    id: int
    username: str
    display_name: str

    @staticmethod
    def resolve_display_name(obj: AbstractBaseUser) -> str:
        try:
            return obj.profile.name
        except ObjectDoesNotExist:
            return obj.get_username()


class Page(PaginationBase):
    """`limit`/`offset` in, `count`, `next`, `previous` and `results` out."""

    class Input(Schema):
        limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    class Output(Schema):
        count: int = Field(description="Items in the whole list.")
        next: str | None = Field(description="URL of the next page, null on the last.")
        previous: str | None = Field(description="URL of the previous page, null on the first.")
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        offset, limit = pagination.offset, pagination.limit
        results = list(queryset[offset : offset + limit])
        if len(results) < limit and (results or not offset):
            count = offset + len(results)  # the last page: no COUNT(*) needed
        else:
            count = queryset.count()
        return {
            "count": count,
            "next": _page_url(request, offset + limit, limit) if offset + limit < count else None,
            "previous": _page_url(request, max(offset - limit, 0), limit) if offset else None,
            "results": results,
        }


def _page_url(request: HttpRequest, offset: int, limit: int) -> str:
    query = request.GET.copy()
    query["offset"] = str(offset)
    query["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
