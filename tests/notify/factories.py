"""Notifications made the way the site makes them: through notify.services."""

from notify.models import Notification
from notify.services import notification_create


def make_notification(
    kind: str = "comment",
    recipient=None,
    actor=None,
    title: str = "Something",
    url: str = "/",
    data: dict | None = None,
) -> Notification:
    notification = notification_create(
        kind=kind, recipient=recipient, actor=actor, target_title=title, url=url, data=data
    )
    assert notification is not None, "nobody is notified of their own action"
    return notification
