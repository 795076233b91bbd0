"""Who may read which stream channel.

`notifications` is the broadcast channel, open to everybody (anonymous readers too);
`user-<id>` is a personal channel that only its owner may read. Anything else is refused.
"""

import re

from django.contrib.auth.models import AbstractBaseUser
from django_eventstream.channelmanager import ChannelManagerBase

from notify.models import BROADCAST_CHANNEL

PERSONAL = re.compile(r"^user-([1-9][0-9]{0,18})$")


class ChannelManager(ChannelManagerBase):
    def get_channels_for_request(self, request, view_kwargs) -> set[str]:
        asked = request.GET.getlist("channel")
        if asked:
            return set(asked)
        channels = {BROADCAST_CHANNEL}
        if request.user.is_authenticated:
            channels.add(f"user-{request.user.pk}")
        return channels

    def can_read_channel(self, user: AbstractBaseUser | None, channel: str) -> bool:
        if channel == BROADCAST_CHANNEL:
            return True
        match = PERSONAL.match(channel)
        return bool(match and user is not None and str(user.pk) == match.group(1))

    def is_channel_reliable(self, channel: str) -> bool:
        return True
