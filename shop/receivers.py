"""Keeps every user with a shop profile (wallet), whichever way the user was created."""

from typing import Any

from shop.services import profile_ensure


def user_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # raw: loaddata replays fixtures, which carry their own profiles.
    if created and not raw:
        profile_ensure(user=instance)
