from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_eventstream.utils import get_channelmanager, sse_error_response
from django_eventstream.views import events as eventstream_events

from config.views import paginate
from notify import selectors, services
from notify.models import Notification

PAGE_SIZE = 20


@require_GET
@login_required
@vary_on_headers("HX-Request")
def notification_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    unread = request.GET.get("unread") == "1"
    notifications = selectors.notification_list(user=request.user, kind=kind, unread=unread)
    page = paginate(request, notifications, PAGE_SIZE)
    context = {
        "page": page,
        "kind": kind if kind in Notification.Kind.values else "",
        "unread": unread,
        "kinds": Notification.Kind.choices,
        "unread_count": selectors.unread_count(user=request.user),
    }
    template = "notify/notification_list.html"
    if request.htmx and request.htmx.target == "notification-list":
        template += "#list"
    return render(request, template, context)


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Only a notification the user can see can be marked: anybody else's is a 404.
    notification = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
    services.notification_mark_read(notification=notification, user=request.user)
    if request.htmx:
        notification.is_read = True
        return render(
            request,
            "notify/notification_list.html#item-with-badge",
            {
                "notification": notification,
                "notify_unread": selectors.unread_count(user=request.user),
            },
        )
    return _back(request, _("Marked as read."))


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    if request.htmx:
        return notification_list_refresh(request)
    return _back(request, _("All notifications are marked as read."))


def notification_list_refresh(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notification_list(user=request.user)
    page = Paginator(notifications, PAGE_SIZE).get_page(1)
    return render(
        request,
        "notify/notification_list.html#list-with-badge",
        {
            "page": page,
            "kind": "",
            "unread": False,
            "unread_count": 0,
            "notify_unread": 0,
        },
    )


@require_GET
def unread_badge(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/notification_list.html#badge")


@require_GET
def new_posts_hint(request: HttpRequest) -> HttpResponse:
    # `after` is the broadcast position the page was rendered at; 0 is a real position (a
    # site with no post yet), a missing or malformed one shows no hint.
    try:
        after = int(request.GET["after"])
    except (KeyError, ValueError):
        after = -1
    count = selectors.new_posts_since(after_seq=after) if after >= 0 else 0
    return render(request, "notify/notification_list.html#new-posts", {"new_posts": count})


def events(request: HttpRequest) -> HttpResponse:
    """The SSE stream: the broadcast channel, and the signed-in user's own channel."""
    # django-eventstream checks channel permissions only once the stream runs, answering
    # 200 and an error event; refuse up front with a real status instead, so an EventSource
    # stops rather than retrying forever, and a client can tell what went wrong.
    manager = get_channelmanager()
    user = request.user if request.user.is_authenticated else None
    denied = sorted(
        channel
        for channel in manager.get_channels_for_request(request, {})
        if not manager.can_read_channel(user, channel)
    )
    if denied:
        response = sse_error_response(
            "forbidden", f"Permission denied to channels: {', '.join(denied)}", {"channels": denied}
        )
        response.status_code = 403
        return response
    response = eventstream_events(request)
    if (
        not isinstance(response, StreamingHttpResponse)
        and b"event: stream-error" in response.content
    ):
        response.status_code = 400
    return response


def _back(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "notify:notification-list")
