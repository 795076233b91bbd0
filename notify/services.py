"""Writes of the notification history, and the only place that publishes stream events."""

import logging
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import translation

from notify import eventstream, live
from notify.hub import EVENT_TYPE, hub
from notify.models import Notification, NotificationRead, ReadWatermark, channel_for

logger = logging.getLogger(__name__)


@transaction.atomic
def notification_create(
    *,
    kind: Notification.Kind,
    recipient: AbstractBaseUser | None,
    actor: AbstractBaseUser | None,
    target_title: str,
    url: str,
    data: dict[str, Any] | None = None,
) -> Notification | None:
    """Store a notification (recipient None: for everybody) and publish it after commit."""
    if recipient is not None and actor is not None and recipient.pk == actor.pk:
        return None  # nobody is told of their own action
    channel = channel_for(recipient.pk if recipient is not None else None)
    _lock_channel(channel)
    last = Notification.objects.filter(channel=channel).aggregate(m=Max("seq"))["m"] or 0
    notification = Notification.objects.create(
        channel=channel,
        seq=last + 1,
        kind=kind,
        recipient=recipient,
        actor=actor,
        target_title=target_title[:300],
        url=url[:500],
        data=data or {},
    )
    transaction.on_commit(partial(_publish, notification))
    return notification


def _lock_channel(channel: str) -> None:
    # A channel's positions are handed out one after the other and become visible in that
    # order. SQLite (IMMEDIATE transactions) has one writer at a time; on PostgreSQL the
    # writers of one channel take turns here, until their transaction ends.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"notify:{channel}"])


def _publish(notification: Notification) -> None:
    """After commit: to this process's streams at once, and to the other processes."""
    data = encode_payload(notification)
    hub.announce(notification.channel, notification.seq, data)
    # Redis and a GRIP proxy, where configured; the other processes' watchers find the
    # notification in the history within a second in any case.
    eventstream.publish_to_other_processes(notification.channel, EVENT_TYPE, data, notification.seq)


def encode_payload(notification: Notification) -> str:
    return eventstream.encode_data(event_payload(notification))


def event_payload(notification: Notification) -> dict[str, Any]:
    """The SSE `data` of a notification: fields for any client, and the banner's HTML."""
    html = {}
    text = {}
    for language in ("en", "ru"):
        with translation.override(language):
            text[language] = notification.message
            html[language] = render_to_string(
                "notify/notification_list.html#toast", {"notification": notification}
            )
    actor = notification.actor
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "channel": notification.channel,
        "seq": notification.seq,
        "actor": {"id": actor.pk, "username": actor.get_username()} if actor else None,
        "title": notification.target_title,
        "url": notification.url,
        "created": notification.created.isoformat(),
        "text": text,
        "html": html,
    }


@transaction.atomic
def notification_mark_read(*, notification: Notification, user: AbstractBaseUser) -> None:
    """Mark one notification read for this user (the caller checked it is visible to them)."""
    NotificationRead.objects.get_or_create(notification=notification, user=user)
    transaction.on_commit(partial(live.publish_read, user.pk))


@transaction.atomic
def notification_mark_all_read(*, user: AbstractBaseUser) -> int:
    """Everything up to now is read: one watermark row, whatever the number of notifications."""
    from notify.selectors import notifications_visible_to

    newest = notifications_visible_to(user).order_by("-id").values_list("id", flat=True).first()
    if newest is None:
        return 0
    ReadWatermark.objects.update_or_create(user=user, defaults={"up_to_id": newest})
    # Single marks below the watermark say nothing any more.
    NotificationRead.objects.filter(user=user, notification_id__lte=newest).delete()
    transaction.on_commit(partial(live.publish_read, user.pk))
    return newest
