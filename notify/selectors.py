"""Reads of the notification history; each is one query whatever the history's size."""

from functools import cache

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from config.sql import table_and_columns
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
    """How many of `notification_list(user=user)` are unread: the badge on every page.

    The same rule as `notifications_visible_to` and `is_read` above, written once more as SQL:
    every signed-in page asks, and building the ORM query cost ten times what the database
    takes to answer it (docs/PERFORMANCE.md). tests/notify/test_selectors.py checks that
    both always agree.
    """
    if not user.is_authenticated:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            _unread_sql(connection.vendor),
            {
                "user": user.pk,
                "joined": connection.ops.adapt_datetimefield_value(user.date_joined),
            },
        )
        return cursor.fetchone()[0]


@cache
def _unread_sql(vendor: str) -> str:
    n, read, mark = (
        table_and_columns(model)[0] for model in (Notification, NotificationRead, ReadWatermark)
    )
    # Only table names are put in; every value is a parameter.
    return f"""
        SELECT COUNT(*) FROM {n} n
        WHERE (n.recipient_id = %(user)s OR (n.recipient_id IS NULL AND n.created >= %(joined)s))
          AND (n.actor_id IS NULL OR n.actor_id <> %(user)s)
          AND n.id > COALESCE((SELECT w.up_to_id FROM {mark} w WHERE w.user_id = %(user)s), 0)
          AND NOT EXISTS (
            SELECT 1 FROM {read} r WHERE r.notification_id = n.id AND r.user_id = %(user)s
          )
    """  # noqa: S608


def stream_channels(*, user: AbstractBaseUser) -> list[str]:
    channels = [BROADCAST_CHANNEL]
    if user.is_authenticated:
        channels.append(user_channel(user.pk))
    return channels


def stream_positions(*, user: AbstractBaseUser) -> dict[str, int]:
    """Each of the user's channels' newest event id (0 if none): one query.

    Every page starts its stream here, so this is SQL the database answers from the
    (channel, seq) index, one lookup per channel, whatever the history's size.
    """
    channels = stream_channels(user=user)
    table, _ = table_and_columns(Notification)
    one = f"(SELECT MAX(seq) FROM {table} WHERE channel = %s)"  # noqa: S608 (a table name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([one] * len(channels)), channels)
        row = cursor.fetchone()
    return {channel: seq or 0 for channel, seq in zip(channels, row, strict=True)}


def make_event_id(positions: dict[str, int]) -> str:
    """The Last-Event-ID that resumes a stream from these positions (channels sorted)."""
    return eventstream.make_event_id(dict(positions))


def new_posts_since(*, after_seq: int) -> int:
    """New posts announced after this position of the broadcast channel."""
    return Notification.objects.filter(
        channel=BROADCAST_CHANNEL, kind=Notification.Kind.NEW_POST, seq__gt=after_seq
    ).count()
