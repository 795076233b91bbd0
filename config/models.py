"""Agora's own bookkeeping, shared by the apps."""

from django.db import models


class ContentVersion(models.Model):
    """One row: raised after every commit that wrote content (config/versions.py)."""

    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"content version {self.number}"
