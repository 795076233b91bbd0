import jwt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from config.views import back_url, is_fragment, login_required, paginate
from notify import eventstream, selectors, services, stream
from notify.channels import default_channels, is_personal, is_reliable, personal_owner
from notify.models import Notification, user_channel

PAGE_SIZE = 20


@require_safe
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
    if is_fragment(request, target="notification-list"):
        template += "#list"
    return render(request, template, context)


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Only a notification the user can see can be marked: anybody else's is a 404.
    notification = get_object_or_404(selectors.notification_list(user=request.user), pk=pk)
    services.notification_mark_read(notification=notification, user=request.user)
    if is_fragment(request):
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
    if is_fragment(request):
        return notification_list_refresh(request)
    return _back(request, _("All notifications are marked as read."))


def notification_list_refresh(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notification_list(user=request.user)
    page = paginate(request, notifications, PAGE_SIZE)
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


@require_safe
def unread_badge(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/notification_list.html#badge")


@require_safe
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
    """A GRIP proxy's stream request, answered at once with hold instructions.

    config/asgi.py sends only requests signed by the proxy (`Grip-Sig`) here; every other
    stream is held by notify/stream.py. The same checks apply: channels through
    notify.channels, a strict Last-Event-ID, the session cookie or an allauth token; the
    proxy's own parameters (es-meta, recover, link) are accepted from the proxy only, and the
    channels a signed es-meta names are checked again.
    """
    try:
        user = _stream_user(request)
        proxied = bool(getattr(request, "grip", None) and request.grip.proxied)
        if not proxied:
            raise stream.bad_request(
                "this URL is served by the ASGI application (config.asgi), or through the proxy"
            )
        if eventstream.PERSONAL_PARAM in request.GET:
            user = _personal_reader(request)
        asked = stream.asked_channels(request.GET)
        stream.resume_positions(request.GET, request.headers.get("Last-Event-ID"))
        stream.rendered_at(request.GET)  # checked; the proxy's stream-open never says "current"
        user_id = user.pk if user is not None else None
        channels = default_channels(user_id) if asked is None else asked
        stream.check_channels(channels, user_id)
        if request.GET.get("es-meta"):
            meta_user_id, meta_channels = _es_meta(request.GET["es-meta"])
            stream.check_channels(meta_channels, meta_user_id)
    except stream.StreamRefused as refused:
        return HttpResponse(refused.body(), status=refused.status, content_type="text/event-stream")
    # django-eventstream reads the user from the request (the token's, if one was sent).
    request.user = user if user is not None else AnonymousUser()
    response = eventstream.proxy_stream_response(request, is_reliable, is_personal)
    if (
        not isinstance(response, StreamingHttpResponse)
        and b"event: stream-error" in response.content
    ):
        response.status_code = 400
    return response


def _stream_user(request: HttpRequest):
    token = request.headers.get("X-Session-Token")
    if token:
        try:
            return stream.authenticated_user(None, token)
        except stream.InvalidToken:
            raise stream.StreamRefused(
                401, "not-authenticated", "The session token is invalid or has expired."
            ) from None
    return request.user if request.user.is_authenticated else None


def _personal_reader(request: HttpRequest):
    """The reader of a stream whose next link says `personal=<group>` (Pushpin asking again,
    with no cookie): the owner of the one personal channel Pushpin's `Grip-Last` names, in
    that group. That channel is added to the stream's, which the link names without it."""
    owners = {personal_owner(channel) for channel in eventstream.proxy_held_channels(request)}
    owners.discard(None)
    owner = owners.pop() if len(owners) == 1 else None
    group = request.GET[eventstream.PERSONAL_PARAM]
    if owner is None or group != eventstream.personal_group(owner):
        raise stream.bad_request("personal is for the proxy's own requests about a stream")
    user = get_user_model().objects.filter(pk=owner, is_active=True).first()
    if user is None:
        raise stream.StreamRefused(403, "forbidden", "This stream's reader is no longer active.")
    query = request.GET.copy()
    query.appendlist("channel", user_channel(user.pk))
    request.GET = query
    return user


def _es_meta(value: str) -> tuple[int | None, list[str]]:
    """The user and channels of django-eventstream's signed `es-meta`, or a bad request."""
    try:
        meta = jwt.decode(value, settings.SECRET_KEY.encode(), algorithms=["HS256"])
        channels = meta.get("channels") or []
        user = meta.get("user", "anonymous")
        if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
            raise ValueError("channels")
        user_id = None if user == "anonymous" else int(user)
    except (jwt.PyJWTError, ValueError, TypeError, AttributeError):
        raise stream.bad_request("es-meta is malformed, expired or not ours") from None
    return user_id, channels


def _back(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(back_url(request, reverse("notify:notification-list")))
