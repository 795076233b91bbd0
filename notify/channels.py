"""Who may read which stream channel.

`notifications` is the broadcast channel, open to everybody (anonymous readers too);
`user-<id>` is a personal channel that only its owner may read. Anything else is refused.
The rule is `can_read`; Agora's stream server and django-eventstream's view (behind a GRIP
proxy) both go through it.
"""

import re

from django.contrib.auth.models import AbstractBaseUser
from django_eventstream.channelmanager import ChannelManagerBase

from notify.models import BROADCAST_CHANNEL, user_channel

# fullmatch: `user-2\n` is not `user-2` (a `$` would let the newline through).
PERSONAL = re.compile(r"user-([1-9][0-9]{0,18})")
# More than this many channels in one stream is a bad request.
MAX_CHANNELS = 10


def default_channels(user_id: int | None) -> list[str]:
    """What a stream reads when it names no channel: the broadcast, and the reader's own."""
    return [BROADCAST_CHANNEL] if user_id is None else [BROADCAST_CHANNEL, user_channel(user_id)]


def can_read(user_id: int | None, channel: str) -> bool:
    if channel == BROADCAST_CHANNEL:
        return True
    match = PERSONAL.fullmatch(channel)
    return bool(match and user_id is not None and str(user_id) == match.group(1))


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
        return True
