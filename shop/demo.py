"""Demo content for `manage.py seed_demo`."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser


def seed(*, users: Sequence[AbstractBaseUser]) -> None:
    """Create this app's demo objects once; later runs change nothing."""
