"""django-eventstream storage backed by the notification history itself.

An event's id is its notification's id, so a client that was away for any length of time
resumes from `Last-Event-ID` with exactly what it missed (django-eventstream's own storage
forgets events after a day). Ids grow in commit order within a channel: SQLite has one writer
at a time and on PostgreSQL `notify.services` takes a per-channel lock while inserting.
"""

import json

from django_eventstream.event import Event
from django_eventstream.storage import EventDoesNotExist, StorageBase

from notify.channels import recipient_filter


class NotificationStorage(StorageBase):
    def append_event(self, channel: str, event_type: str, data: str) -> Event:
        # notify.services stored the notification already; the payload carries its id.
        return Event(channel, event_type, data, id=int(json.loads(data)["id"]))

    def get_events(self, channel: str, last_id: int, limit: int = 100) -> list[Event]:
        from notify.models import Notification
        from notify.services import EVENT_TYPE, encode_payload

        current = self.get_current_id(channel)
        if last_id > current:
            # An id from the future (or another database): start again from now.
            raise EventDoesNotExist(f"No such event {last_id}", current)
        rows = (
            Notification.objects.filter(recipient_filter(channel), id__gt=last_id)
            .select_related("actor")
            .order_by("id")[:limit]
        )
        return [Event(channel, EVENT_TYPE, encode_payload(n), id=n.id) for n in rows]

    def get_current_id(self, channel: str) -> int:
        from django.db.models import Max

        from notify.models import Notification

        result = Notification.objects.filter(recipient_filter(channel)).aggregate(m=Max("id"))
        return result["m"] or 0
