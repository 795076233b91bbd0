"""The JSON API: one ninja router per app, mounted here; docs at /api/docs.

Errors are mapped to JSON here, once, for every router: services raise Django's
ValidationError, PermissionDenied, Http404 or the project's Conflict, and the API answers
422, 403, 404 or 409 with one shape, `{"error": {"code", "message", "fields"}}`.
"""

import logging
from collections.abc import Callable
from functools import wraps
from inspect import iscoroutinefunction
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ImproperlyConfigured,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from blog.api import router as blog_router
from config import versions
from config.apikit import KEEP_AS, WRITE_AUTH, InvalidToken, anonymous
from config.errors import Conflict
from notify.api import router as notify_router
from shop.api import router as shop_router

logger = logging.getLogger(__name__)

DESCRIPTION = """
Blog, shop and notifications of Agora, for JSON clients. Reading is open to everybody;
writing needs a signed-in user.

## Authentication

* **Browser session** (`SessionAuth`): the `sessionid` cookie of a browser signed in to
  Agora. Unsafe methods (POST, PUT, PATCH, DELETE) need the CSRF token in the
  `X-CSRFToken` header, as Django forms do; this page sends it for you.
* **Session token** (`SessionTokenAuth`) for clients without cookies, from
  django-allauth's headless API:
  `POST /_allauth/app/v1/auth/login` with `{"username": "...", "password": "..."}` answers
  with `meta.session_token`; send it as `X-Session-Token: <token>`.
  `DELETE /_allauth/app/v1/auth/session` (with the header) logs out.
  A token that is invalid or expired is a 401, also on reads.
  Signing in, signing up and session tokens are django-allauth's headless API, described
  separately at [/_allauth/openapi.json](/_allauth/openapi.json).

## Errors

Every error, whatever the endpoint, has this shape:

```json
{"error": {"code": "out_of_stock", "message": "Only 2 left in stock.", "fields": {}}}
```

| status | when | `code` |
|---|---|---|
| 400 | the body is not JSON (or, for an upload, not multipart/form-data) | `bad_request` |
| 401 | no user, or a bad token | `not_authenticated`, `invalid_token` |
| 403 | the user may not do this; CSRF failed | `permission_denied`, `csrf_failed` |
| 404 | no such object (or not yours to see), no such path | `not_found` |
| 405 | the path does not take this method (see the `Allow` header) | `method_not_allowed` |
| 409 | the state refuses it | `out_of_stock`, `insufficient_funds`, `own_product`, `inactive` |
| 409 | a product has 10 photos already | `too_many_photos` |
| 409 | the stock changed since the `stock_seen` an edit was based on | `stock_changed` |
| 413 | the body is larger than the server takes (2.5 MB) | `too_large` |
| 422 | invalid input; `fields` names each field | `invalid`, `out_of_range` |

Messages follow the request's language (`Accept-Language: ru`).

## Lists

Every list takes `limit` (1-100, default 20) and `offset`, and answers
`{"count": N, "next": url|null, "previous": url|null, "results": [...]}`.
Money is a string with two decimals (`"12.50"`).

## Live notifications (server-sent events)

`GET /notifications/stream/` (outside `/api/`) is an `text/event-stream` of the broadcast
channel and, for a signed-in user (session cookie), their personal channel. Each event is
named `notification`; its `data` is JSON: `id`, `kind`, `channel`, `actor`
(`{id, username}` or null), `title`, `url`, `created`, `text` and `html` (each by
language: `{"en": ..., "ru": ...}`). Reconnect with the `Last-Event-ID` header (or
`?lastEventId=`) to receive what was missed; `GET /api/notifications/stream-info/` gives
the current one. Everything in the stream is also in `GET /api/notifications/`.
"""


class _Schema(OpenAPISchema):
    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        security = super().operation_security(operation)
        if security is not None and anonymous in operation.auth_callbacks:
            security.append({})  # OpenAPI's "or no credentials at all"
        return security


class AgoraAPI(NinjaAPI):
    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        # A read marked by apikit.kept_answer: its JSON is kept for the next caller alike.
        key = getattr(request, KEEP_AS, None)
        if key is not None and response.status_code == 200:
            versions.keep(key, response.content)
        return response

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _Schema(api=self, path_prefix=path_prefix)

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                if iscoroutinefunction(pattern.callback):
                    raise ImproperlyConfigured("_json_errors wraps sync views only.")
                pattern.callback = _json_errors(pattern.callback)
        # Last: any other path under /api/, whatever the method, is a JSON 404 too.
        urls.append(re_path(r"", unknown_path))
        return urls


api = AgoraAPI(
    title="Agora API",
    version="1.0",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=WRITE_AUTH,
)
api.add_router("", blog_router)
api.add_router("", shop_router)
api.add_router("", notify_router)


def error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    return api.create_response(request, body, status=status)


def _field_name(loc: tuple | list) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        source = parts.pop(0)
        # A body is one parameter (`payload`) holding the fields; its name says nothing.
        if source == "body" and parts:
            parts.pop(0)
    return ".".join(parts) or NON_FIELD_ERRORS


def _message(item: dict[str, Any]) -> str:
    """pydantic's message, in Django's words where Django has them (and their translations)."""
    kind, ctx = item.get("type", ""), item.get("ctx") or {}
    match kind:
        case "missing":
            return _("This field is required.")
        case "extra_forbidden":
            return _("Unknown field.")
        case "int_type" | "int_parsing" | "int_from_float":
            return _("Enter a whole number.")
        case "decimal_type" | "decimal_parsing" | "float_type" | "float_parsing":
            return _("Enter a number.")
        case "string_type":
            return _("Enter a text.")
        case "less_than_equal":
            return _("Ensure this value is less than or equal to %(limit_value)s.") % {
                "limit_value": ctx.get("le")
            }
        case "greater_than_equal":
            return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
                "limit_value": ctx.get("ge")
            }
        case "greater_than":
            return _("Ensure this value is greater than %(limit_value)s.") % {
                "limit_value": ctx.get("gt")
            }
        case "less_than":
            return _("Ensure this value is less than %(limit_value)s.") % {
                "limit_value": ctx.get("lt")
            }
        case "string_too_long":
            limit = ctx.get("max_length", 0)
            return ngettext(
                "Ensure this value has at most %(limit_value)d character.",
                "Ensure this value has at most %(limit_value)d characters.",
                limit,
            ) % {"limit_value": limit}
        case "string_too_short":
            limit = ctx.get("min_length", 0)
            return ngettext(
                "Ensure this value has at least %(limit_value)d character.",
                "Ensure this value has at least %(limit_value)d characters.",
                limit,
            ) % {"limit_value": limit}
        case "bool_type" | "bool_parsing":
            return _("Enter true or false.")
        case "decimal_max_digits":
            return ngettext(
                "Ensure that there are no more than %(max)s digit in total.",
                "Ensure that there are no more than %(max)s digits in total.",
                ctx.get("max_digits", 0),
            ) % {"max": ctx.get("max_digits")}
        case "decimal_max_places":
            return ngettext(
                "Ensure that there are no more than %(max)s decimal place.",
                "Ensure that there are no more than %(max)s decimal places.",
                ctx.get("decimal_places", 0),
            ) % {"max": ctx.get("decimal_places")}
        case "literal_error" | "enum":
            return _("Select a valid choice. That choice is not one of the available choices.")
        case "model_type" | "dict_type" | "model_attributes_type":
            return _("Send a JSON object.")
        case "value_error" if "error" in ctx:
            return str(ctx["error"])
    return str(item.get("msg", _("Enter a valid value.")))


def _fields_response(request: HttpRequest, fields: dict[str, list[str]], code: str) -> HttpResponse:
    first = next((messages[0] for messages in fields.values() if messages), "")
    return error(request, 422, code, first or _("Check the input."), fields)


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        fields.setdefault(_field_name(item.get("loc", ())), []).append(_message(item))
    return _fields_response(request, fields, "invalid")


@api.exception_handler(ValidationError)
def invalid_for_service(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        fields = dict(exc.message_dict)
    else:
        fields = {NON_FIELD_ERRORS: list(exc.messages)}
    return _fields_response(request, fields, "invalid")


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if isinstance(exc, InvalidToken):
        return error(request, 401, "invalid_token", exc.message)
    return error(
        request,
        401,
        "not_authenticated",
        _("Log in first: send the session cookie or an X-Session-Token header."),
    )


@api.exception_handler(PermissionDenied)
def not_allowed(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    code = getattr(exc, "code", "permission_denied")
    return error(request, 403, code, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return error(request, 409, exc.code, exc.message)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        return error(request, 400, "bad_request", _("The request body is not valid JSON."))
    return error(request, exc.status_code, "error", str(exc))


@api.exception_handler(MultiPartParserError)
def bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    message = _("The request body is not valid multipart/form-data.")
    return error(request, 400, "bad_request", message)


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    message = _("The request body is too large: at most %(size)s.")
    return error(request, 413, "too_large", message % {"size": _upload_limit()})


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Schemas bound what they can; a value the database still cannot hold is bad input.
    return error(request, 422, "out_of_range", _("A value is out of range."))


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error(request, 500, "server_error", _("Something went wrong on our side."))


def _upload_limit() -> str:
    return filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def _json_errors(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Give the API's error shape to errors that ninja or Django answer by themselves.

    A method the path does not take (ninja's 405, in plain text), the root's 404, and so on:
    they never reach the exception handlers above.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request, Http404())
        status = response.status_code
        if status < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        if status == 404:
            return not_found(request, Http404())
        if status == 405:
            message = _("This path does not take the %(method)s method.")
            answer = error(request, 405, "method_not_allowed", message % {"method": request.method})
            answer["Allow"] = response["Allow"]
            return answer
        return error(request, status, "error", response.reason_phrase)

    return wrapper


@csrf_exempt
def unknown_path(request: HttpRequest) -> HttpResponse:
    return not_found(request, Http404())
