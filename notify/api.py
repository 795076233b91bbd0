"""The notification API: history, read marks, and where the live stream is."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Query, Router
from ninja.pagination import paginate

from config.apikit import READ_AUTH, Page, errors
from notify import selectors, services
from notify.models import Notification
from notify.schemas import NotificationFilters, NotificationOut, StreamInfoOut, UnreadCountOut
from notify.services import EVENT_TYPE

router = Router(tags=["notify"])


@router.get(
    "/notifications/",
    response={200: list[NotificationOut], **errors(401, 422)},
    summary="The caller's notifications, newest first",
)
@paginate(Page)
def notification_list(
    request: HttpRequest, filters: Query[NotificationFilters]
) -> QuerySet[Notification]:
    return selectors.notification_list(
        user=request.user, kind=filters.kind or "", unread=filters.unread
    )


@router.get(
    "/notifications/unread-count/",
    response={200: UnreadCountOut, **errors(401)},
    auth=READ_AUTH,
    summary="How many are unread (0 for an anonymous caller)",
)
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread_count": selectors.unread_count(user=request.user)}


@router.post(
    "/notifications/{id}/read/",
    response={200: NotificationOut, **errors(401, 403, 404, 422)},
    summary="Mark one notification read",
    description="A notification the caller cannot see is a 404.",
)
def notification_read(request: HttpRequest, id: int) -> Notification:
    # Only a notification the user can see can be marked, as in the notification centre.
    notification = get_object_or_404(selectors.notification_list(user=request.user), pk=id)
    services.notification_mark_read(notification=notification, user=request.user)
    notification.is_read = True
    return notification


@router.post(
    "/notifications/read-all/",
    response={200: UnreadCountOut, **errors(401, 403)},
    summary="Mark everything read",
)
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    services.notification_mark_all_read(user=request.user)
    return {"unread_count": selectors.unread_count(user=request.user)}


@router.get(
    "/notifications/stream-info/",
    response={200: StreamInfoOut, **errors(401)},
    auth=READ_AUTH,
    summary="Where the live stream is, and the position to resume from",
    description="The stream itself is `GET /notifications/stream/` (server-sent events); "
    "see the API description at the top for its events.",
)
def stream_info(request: HttpRequest) -> dict:
    positions = selectors.stream_positions(user=request.user)
    return {
        "url": request.build_absolute_uri(reverse("notify:events")),
        "event": EVENT_TYPE,
        "channels": list(positions),
        "last_event_id": selectors.make_event_id(positions),
    }
