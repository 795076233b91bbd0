from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from notify import selectors
from notify.models import BROADCAST_CHANNEL


def notifications(request: HttpRequest) -> dict[str, object]:
    """The unread count and the stream position for the base page, computed only if shown."""
    user = request.user
    # Start the stream where this page was rendered: nothing falls in between.
    positions = SimpleLazyObject(lambda: selectors.stream_positions(user=user))

    def stream_url() -> str:
        last_event_id = selectors.make_event_id(positions)
        return f"{reverse('notify:events')}?{urlencode({'lastEventId': last_event_id})}"

    return {
        # A plain number: the badge on every signed-in page shows it, and the plural forms
        # of some languages (Russian: n % 10) need arithmetic a lazy object cannot do.
        "notify_unread": selectors.unread_count(user=user),
        "notify_stream_url": SimpleLazyObject(stream_url),
        "notify_stream_positions": positions,
        "notify_broadcast_position": SimpleLazyObject(lambda: positions[BROADCAST_CHANNEL]),
    }
