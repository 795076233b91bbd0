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
    return channel == BROADCAST_CHANNEL or is_personal(channel)


def personal_owner(channel: str) -> int | None:
    """The id of the user whose own channel (`user-<id>`) this is, or None."""
    match = PERSONAL.fullmatch(channel)
    return int(match.group(1)) if match else None


def is_personal(channel: str) -> bool:
    return personal_owner(channel) is not None


def is_object_channel(channel: str) -> bool:
    """A post's or a product's channel: `can_read` must look the object up."""
    return OBJECT.fullmatch(channel) is not None


def can_read(user_id: int | None, channel: str) -> bool:
    if channel == BROADCAST_CHANNEL or channel in PUBLIC_LIVE:
        return True
    owner = personal_owner(channel)
    if owner is not None:
        return user_id == owner
    if OBJECT.fullmatch(channel) is None:
        return False
    return objects_readable([(user_id, channel)])[(user_id, channel)]


def objects_readable(asked: list[tuple[int | None, str]]) -> dict[tuple[int | None, str], bool]:
    """Whether each reader may read each post's or product's channel, for many at once.

    One query for all the posts, one for the products of all anonymous readers, and two
    per signed-in reader of a product (the user, for staff; the products): a burst of
    connects (a restart) checks hundreds of channels in a few queries.
    """
    from django.contrib.auth import get_user_model

    from blog.selectors import posts_existing
    from shop.selectors import products_visible

    wanted: dict[tuple[str, int | None], set[int]] = {}
    for user_id, channel in asked:
        match = OBJECT.fullmatch(channel)
        assert match is not None, channel
        kind, pk = match.group(1), int(match.group(2))
        # Every post is public: who asks does not matter.
        wanted.setdefault((kind, None if kind == "post" else user_id), set()).add(pk)
    found: dict[tuple[str, int | None], set[int]] = {}
    users = get_user_model().objects.in_bulk(
        {user_id for kind, user_id in wanted if kind == "product" and user_id is not None}
    )
    for (kind, user_id), pks in wanted.items():
        if kind == "post":
            found[kind, user_id] = posts_existing(pks=list(pks))
        else:
            user = users.get(user_id) if user_id is not None else None
            found[kind, user_id] = products_visible(pks=list(pks), user=user)
    answers = {}
    for user_id, channel in asked:
        match = OBJECT.fullmatch(channel)
        assert match is not None
        kind, pk = match.group(1), int(match.group(2))
        answers[user_id, channel] = pk in found[kind, None if kind == "post" else user_id]
    return answers


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
