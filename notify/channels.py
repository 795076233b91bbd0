"""Who may read which stream channel.

`notifications` is the broadcast channel, open to everybody (anonymous readers too);
`user-<id>` is a personal channel that only its owner may read. Both are the notification
history: their events have positions, and a client resumes them exactly.

The live pages' channels carry what a page shows, as it changes (notify.live); they have no
history (a reader who reconnects fetches the page's live parts again):

* `posts` (the blog list's counts) and `catalogue` (the shop's cards): open to everybody;
* `post-<id>`: while the post exists;
* `product-<id>`: while whoever asks may see the product (shop's rule: on sale, or theirs,
  or they are staff).

Anything else is refused. The rule is `can_read` (it reads the database for a post's or a
product's channel); Agora's stream server and django-eventstream's view (behind a GRIP proxy)
both go through it.
"""

import re

from django.contrib.auth.models import AbstractBaseUser
from django_eventstream.channelmanager import ChannelManagerBase

from notify.models import BROADCAST_CHANNEL, user_channel

# fullmatch: `user-2\n` is not `user-2` (a `$` would let the newline through).
PERSONAL = re.compile(r"user-([1-9][0-9]{0,18})")
OBJECT = re.compile(r"(post|product)-([1-9][0-9]{0,18})")
POSTS_CHANNEL = "posts"
CATALOGUE_CHANNEL = "catalogue"
PUBLIC_LIVE = frozenset({POSTS_CHANNEL, CATALOGUE_CHANNEL})
# More than this many channels in one stream is a bad request.
MAX_CHANNELS = 10


def default_channels(user_id: int | None) -> list[str]:
    """What a stream reads when it names no channel: the broadcast, and the reader's own."""
    return [BROADCAST_CHANNEL] if user_id is None else [BROADCAST_CHANNEL, user_channel(user_id)]


def post_channel(post_id: int) -> str:
    return f"post-{post_id}"


def product_channel(product_id: int) -> str:
    return f"product-{product_id}"


def is_reliable(channel: str) -> bool:
    """A channel of the notification history (positions, replays), not a live page's."""
    return channel == BROADCAST_CHANNEL or PERSONAL.fullmatch(channel) is not None


def needs_database(channels: list[str]) -> bool:
    """Whether `can_read` must look up an object for any of these channels."""
    return any(OBJECT.fullmatch(channel) for channel in channels)


def can_read(user_id: int | None, channel: str) -> bool:
    if channel == BROADCAST_CHANNEL or channel in PUBLIC_LIVE:
        return True
    match = PERSONAL.fullmatch(channel)
    if match:
        return user_id is not None and str(user_id) == match.group(1)
    match = OBJECT.fullmatch(channel)
    if match is None:
        return False
    kind, pk = match.group(1), int(match.group(2))
    if kind == "post":
        from blog.selectors import post_exists

        return post_exists(pk=pk)
    from django.contrib.auth import get_user_model

    from shop.selectors import product_visible

    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    return product_visible(pk=pk, user=user)


class ChannelManager(ChannelManagerBase):
    """django-eventstream's hook, for the requests a GRIP proxy makes (notify.views.events)."""

    def get_channels_for_request(self, request, view_kwargs) -> set[str]:
        asked = request.GET.getlist("channel")
        if asked:
            return set(asked)
        user = request.user
        return set(default_channels(user.pk if user.is_authenticated else None))

    def can_read_channel(self, user: AbstractBaseUser | None, channel: str) -> bool:
        return can_read(user.pk if user is not None and user.is_authenticated else None, channel)

    def is_channel_reliable(self, channel: str) -> bool:
        return is_reliable(channel)
