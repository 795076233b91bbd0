from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from notify import selectors


def notifications(request: HttpRequest) -> dict[str, object]:
    """The unread count and the stream URL for the base page, computed only if shown."""
    user = request.user

    def stream_url() -> str:
        # Start the stream where this page was rendered: nothing falls in between.
        position = selectors.current_event_id(user=user)
        return f"{reverse('notify:events')}?{urlencode({'lastEventId': position})}"

    return {
        "notify_unread": SimpleLazyObject(lambda: selectors.unread_count(user=user)),
        "notify_stream_url": SimpleLazyObject(stream_url),
    }
