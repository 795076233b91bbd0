"""`{% live_stream_url "post" post.pk %}`: the page's stream, with the live channel it shows."""

import time
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from notify import selectors
from notify.channels import CATALOGUE_CHANNEL, POSTS_CHANNEL, post_channel, product_channel

register = template.Library()

_CHANNELS = {
    "post": post_channel,
    "product": product_channel,
    "posts": lambda _pk: POSTS_CHANNEL,
    "catalogue": lambda _pk: CATALOGUE_CHANNEL,
}


@register.simple_tag(takes_context=True)
def live_stream_url(context, kind: str, pk: int | None = None) -> str:
    """The broadcast and personal channels as on every page, plus this page's live one."""
    request = context["request"]
    positions = context.get("notify_stream_positions")
    if positions is None:
        positions = selectors.stream_positions(user=request.user)
    positions = dict(positions.items())
    channels = [*positions, _CHANNELS[kind](pk)]
    query = [("channel", channel) for channel in channels]
    query.append(("lastEventId", selectors.make_event_id(positions)))
    # When the page was rendered: a stream opening with nothing changed since then tells the
    # page so, and it need not fetch its live parts again.
    query.append(("live_since", str(int(time.time() * 1000))))
    return f"{reverse('notify:events')}?{urlencode(query)}"
