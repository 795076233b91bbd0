"""Keeps the posts' stored counts true when a user's reactions and comments go with the user."""

from typing import Any

from django.db.models import Q

from blog import services
from blog.models import Post

# A user's reactions and comments are deleted by the database cascade, not by blog.services:
# note the posts they were on before, recount those after (same transaction).
_PENDING = "_blog_posts_to_recount"


def user_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    touched = (
        Post.objects.filter(Q(reactions__user=instance) | Q(comments__author=instance))
        .exclude(author=instance)
        .values_list("pk", flat=True)
        .distinct()
    )
    setattr(instance, _PENDING, list(touched))


def user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if post_ids := getattr(instance, _PENDING, None):
        services.post_counts_refresh(post_ids=post_ids)
