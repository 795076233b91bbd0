"""Keeps every user with a shop profile (wallet), whichever way the user was created, and
removes a photo's files whichever way its row goes."""

from typing import Any

from django.db import transaction

from shop.models import ProductPhoto
from shop.services import photo_files_delete, profile_ensure


def user_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # raw: loaddata replays fixtures, which carry their own profiles.
    if created and not raw:
        profile_ensure(user=instance)


def photo_deleted(sender: Any, instance: ProductPhoto, **kwargs: Any) -> None:
    # A signal, not a service step: a photo's row also goes by cascade, with its product or
    # with its seller's account (the admin deletes users), where no shop service runs.
    # After the commit: a rolled-back delete keeps its row, so it must keep its files.
    names = instance.file_names()
    transaction.on_commit(lambda: photo_files_delete(names), robust=True)
