"""Small helpers every app's HTML views share."""

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on top when unknown)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def paginate(request: HttpRequest, items: QuerySet, per_page: int) -> Page:
    # get_page: a non-numeric page is the first, a page past the end is the last.
    return Paginator(items, per_page).get_page(request.GET.get("page"))
