"""django-eventstream storage backed by the notification history itself.

An event's id is its notification's position in the channel (`seq`: 1, 2, 3... without gaps),
so a client that was away for any length of time resumes from `Last-Event-ID` with exactly
what it missed (django-eventstream's own storage forgets events after a day).
"""

import json

from django_eventstream.event import Event
from django_eventstream.storage import EventDoesNotExist, StorageBase


class NotificationStorage(StorageBase):
    def append_event(self, channel: str, event_type: str, data: str) -> Event:
        # notify.services stored the notification already; the payload carries its position.
        return Event(channel, event_type, data, id=int(json.loads(data)["seq"]))

    def get_events(self, channel: str, last_id: int, limit: int = 100) -> list[Event]:
        """The events after `last_id`, in one query: it reads from `last_id` itself, whose
        row proves the position exists (positions have no gaps), so the common case (a
        proxy asking again with nothing new) costs no `MAX(seq)` query."""
        from notify.models import Notification
        from notify.services import EVENT_TYPE, encode_payload

        rows = list(
            Notification.objects.filter(channel=channel, seq__gte=last_id)
            .select_related("actor")
            .order_by("seq")[: limit + 1]
        )
        if rows and rows[0].seq == last_id:
            rows = rows[1:]
        elif last_id > 0 and not rows:
            # An id from the future (or another database): start again from now.
            current = self.get_current_id(channel)
            raise EventDoesNotExist(f"No such event {last_id}", current)
        return [Event(channel, EVENT_TYPE, encode_payload(n), id=n.seq) for n in rows[:limit]]

    def get_current_id(self, channel: str) -> int:
        from django.db.models import Max

        from notify.models import Notification

        result = Notification.objects.filter(channel=channel).aggregate(m=Max("seq"))
        return result["m"] or 0
