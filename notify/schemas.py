"""The notification API's shapes."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from notify.models import Notification

KindValue = Literal[tuple(Notification.Kind.values)]  # type: ignore[valid-type]


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only the ones not read yet.")
    kind: KindValue | None = Field(None, description="Only this kind.")  # type: ignore[valid-type]


class ActorOut(Schema):
    id: int
    username: str


class NotificationOut(Schema):
    id: int
    kind: KindValue  # type: ignore[valid-type]
    message: str = Field(description="One line, in the request's language.")
    title: str = Field(description="The post's or product's title when it happened.")
    url: str = Field(description="Where it happened on the site.")
    actor: ActorOut | None
    is_broadcast: bool = Field(description="Sent to everybody rather than to the caller.")
    is_read: bool
    created: datetime

    @staticmethod
    def resolve_title(obj: Notification) -> str:
        return obj.target_title


class UnreadCountOut(Schema):
    unread_count: int


class StreamInfoOut(Schema):
    url: str = Field(description="The server-sent-events stream (outside /api/).")
    event: str = Field(description="The name of every event in the stream.")
    channels: list[str] = Field(description="The channels the caller's stream carries.")
    last_event_id: str = Field(
        description="Send as `Last-Event-ID` to get only what happens from now on."
    )
