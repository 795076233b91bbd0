"""Reads of the blog: annotated querysets that cost the same number of queries for any size."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from blog.models import Comment, Post, Reaction

type AnyUser = AbstractBaseUser | AnonymousUser | None


class Ordering(models.TextChoices):
    NEW = "new", _("Newest")
    LIKED = "liked", _("Most liked")
    DISCUSSED = "discussed", _("Most discussed")


ORDER_BY: dict[str, tuple[str, ...]] = {
    Ordering.NEW: ("-created", "-id"),
    Ordering.LIKED: ("-like_count", "-created", "-id"),
    Ordering.DISCUSSED: ("-comment_count", "-created", "-id"),
}


def _count(queryset: QuerySet) -> Coalesce:
    # A correlated COUNT per row: joining reactions and comments at once would multiply rows.
    counted = (
        queryset.filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


def _annotated(user: AnyUser) -> QuerySet[Post]:
    if user is not None and user.is_authenticated:
        my_reaction = Subquery(
            Reaction.objects.filter(post=OuterRef("pk"), user=user).values("value")[:1]
        )
    else:
        my_reaction = Value(None, output_field=models.CharField())
    return Post.objects.select_related("author").annotate(
        like_count=_count(Reaction.objects.filter(value=Reaction.Value.LIKE)),
        dislike_count=_count(Reaction.objects.filter(value=Reaction.Value.DISLIKE)),
        comment_count=_count(Comment.objects.all()),
        my_reaction=my_reaction,
    )


def parse_ordering(value: str | None) -> Ordering:
    """The ordering named by `value`, or newest first when it names none."""
    try:
        return Ordering(value)
    except ValueError:
        return Ordering.NEW


def post_list(
    *, user: AnyUser = None, q: str = "", author: str = "", ordering: str = Ordering.NEW
) -> QuerySet[Post]:
    """Posts with like, dislike and comment counts and `my_reaction` of `user`."""
    posts = _annotated(user)
    for word in q.split():
        posts = posts.filter(Q(title__icontains=word) | Q(content__icontains=word))
    if author:
        posts = posts.filter(author__username=author)
    return posts.order_by(*ORDER_BY[parse_ordering(ordering)])


def post_detail(*, pk: int, user: AnyUser = None) -> Post:
    """One annotated post, or Http404."""
    return get_object_or_404(_annotated(user), pk=pk)


def posts_existing(*, pks: list[int]) -> set[int]:
    """Which of these posts exist (every post is public): one query."""
    return set(Post.objects.filter(pk__in=pks).values_list("pk", flat=True))


def comment_list(*, post: Post) -> QuerySet[Comment]:
    """The post's comments, oldest first, with their authors."""
    return post.comments.select_related("author").order_by("created", "id")


def comment_get(*, pk: int) -> Comment:
    """One comment with its author and post, or Http404."""
    return get_object_or_404(Comment.objects.select_related("author", "post"), pk=pk)


def author_choices() -> QuerySet:
    """Usernames of everybody who has written a post, for the author filter."""
    return (
        get_user_model()
        .objects.filter(posts__isnull=False)
        .distinct()
        .order_by("username")
        .values_list("username", flat=True)
    )
