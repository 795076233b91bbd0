"""Reads of the notification history; each is one query whatever the history's size."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from notify import eventstream
from notify.models import (
    BROADCAST_CHANNEL,
    Notification,
    NotificationRead,
    ReadWatermark,
    user_channel,
)


def notifications_visible_to(user: AbstractBaseUser) -> QuerySet[Notification]:
    """The user's own notifications and the broadcasts since they joined, minus their own acts."""
    return (
        Notification.objects.filter(
            Q(recipient=user) | Q(recipient__isnull=True, created__gte=user.date_joined)
        )
        .exclude(actor=user)
        .select_related("actor")
    )


def notification_list(
    *, user: AbstractBaseUser, kind: str = "", unread: bool = False
) -> QuerySet[Notification]:
    """Newest first, each annotated with `is_read` for this user."""
    watermark = Coalesce(
        Subquery(ReadWatermark.objects.filter(user=user).values("up_to_id")[:1]), Value(0)
    )
    marked = Exists(NotificationRead.objects.filter(notification=OuterRef("pk"), user=user))
    qs = notifications_visible_to(user).annotate(
        is_read=ExpressionWrapper(Q(id__lte=watermark) | Q(marked), output_field=BooleanField())
    )
    if kind in Notification.Kind.values:
        qs = qs.filter(kind=kind)
    if unread:
        qs = qs.filter(is_read=False)
    return qs.order_by("-id")


def unread_count(*, user: AbstractBaseUser) -> int:
    if not user.is_authenticated:
        return 0
    return notification_list(user=user, unread=True).count()


def stream_channels(*, user: AbstractBaseUser) -> list[str]:
    channels = [BROADCAST_CHANNEL]
    if user.is_authenticated:
        channels.append(user_channel(user.pk))
    return channels


def stream_positions(*, user: AbstractBaseUser) -> dict[str, int]:
    """Each of the user's channels' newest event id (0 if none): one query."""
    aggregates = {"b": Max("seq", filter=Q(channel=BROADCAST_CHANNEL))}
    channels = [BROADCAST_CHANNEL]
    if user.is_authenticated:
        channels.append(user_channel(user.pk))
        aggregates["p"] = Max("seq", filter=Q(channel=channels[1]))
    ids = Notification.objects.filter(channel__in=channels).aggregate(**aggregates)
    positions = {BROADCAST_CHANNEL: ids["b"] or 0}
    if user.is_authenticated:
        positions[user_channel(user.pk)] = ids["p"] or 0
    return positions


def make_event_id(positions: dict[str, int]) -> str:
    """The Last-Event-ID that resumes a stream from these positions (channels sorted)."""
    return eventstream.make_event_id(dict(positions))


def new_posts_since(*, after_seq: int) -> int:
    """New posts announced after this position of the broadcast channel."""
    return Notification.objects.filter(
        channel=BROADCAST_CHANNEL, kind=Notification.Kind.NEW_POST, seq__gt=after_seq
    ).count()
