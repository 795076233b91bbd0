"""What the apps' HTML views share: fragment detection, an htmx-aware `login_required`, the
safe "back" redirect, pagination, and service errors on forms. The links between pages are
built once too, by templates/pagination.html."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect


def is_fragment(request: HttpRequest, *, target: str | None = None) -> bool:
    """Whether to answer with a partial: an htmx request (aimed at `target`, when given)."""
    # A history restore (back button after a cache miss) needs the whole page.
    if not request.htmx or request.htmx.history_restore_request:
        return False
    return target is None or request.htmx.target == target


def page_url(request: HttpRequest) -> str:
    """The URL of the page the user is looking at, also for htmx requests."""
    if request.htmx and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    return request.get_full_path()


def login_redirect(request: HttpRequest, next_url: str) -> HttpResponse:
    """Send an anonymous user to the login page, and back to `next_url` afterwards."""
    response = redirect_to_login(next_url)
    # htmx would swap the login page into the target: move the whole page instead.
    if request.htmx:
        return HttpResponseClientRedirect(response.url)
    return response


def login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like Django's, but an htmx request gets a client redirect, so the whole page moves."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return login_redirect(request, page_url(request))
        return view(request, *args, **kwargs)

    return wrapper


def back_url(request: HttpRequest, default: str) -> str:
    """Where a plain form post returns to: the form's `next` when it is ours, else `default`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def paginate(request: HttpRequest, items: QuerySet, per_page: int) -> Page:
    # get_page: a non-numeric page is the first, a page past the end is the last.
    return Paginator(items, per_page).get_page(request.GET.get("page"))


type KeptPage = tuple[list, int, int, int]


def keep_page(page: Page) -> KeptPage:
    """A page's rows and numbers, to keep (config/versions.py) and make again (`kept_page`)."""
    return list(page.object_list), page.paginator.count, page.number, page.paginator.per_page


def kept_page(kept: KeptPage) -> Page:
    rows, count, number, per_page = kept
    paginator = Paginator((), per_page)
    paginator.count = count
    return Page(rows, number, paginator)


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on top when unknown)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def shown_or_gone(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that can be deleted (or taken off sale) while someone reads it: when it is gone,
    the site's own "not found" page (404), in development too, where Django would otherwise
    answer with its technical page. A live page that fetches itself again after being away
    puts that page's main part in place of what it showed (static/js/agora.js)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return render(request, "404.html", status=404)

    return wrapper
