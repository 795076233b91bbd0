"""Reads of the blog: annotated querysets that cost the same number of queries for any size."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, models
from django.db.models import Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from blog.models import Comment, Post, Reaction
from config.sql import table_and_columns

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


@cache
def _my_reaction_sql(vendor: str) -> str:
    """The reader's reaction to the row's post: one index lookup (blog_reaction_one_per_user).

    Written as SQL rather than `Subquery(Reaction.objects.filter(post=OuterRef("pk"), ...))`:
    building and compiling that nested query cost ~0.3 ms of every list, count and post
    page, for the same SQL. Table and column names come from the models (the post's table
    is the outer query's, which it is in every query these selectors make; one that nests
    these querysets as a subquery would rename it); the user is a parameter.
    """
    reactions, column = table_and_columns(Reaction, "value", "post", "user")
    posts, post_column = table_and_columns(Post, "id")
    return (
        f"SELECT {column['value']} FROM {reactions} "  # noqa: S608 (names from the models)
        f"WHERE {column['post']} = {posts}.{post_column['id']} AND {column['user']} = %s"
    )


def _annotated(user: AnyUser) -> QuerySet[Post]:
    if user is not None and user.is_authenticated:
        my_reaction = RawSQL(  # noqa: S611 (names from the models; the user a parameter)
            _my_reaction_sql(connection.vendor), [user.pk], output_field=models.CharField()
        )
    else:
        my_reaction = Value(None, output_field=models.CharField())
    # The counts are columns of the post (kept by blog.services); only the reaction is the
    # reader's own.
    return Post.objects.select_related("author").annotate(my_reaction=my_reaction)


def parse_ordering(value: str | None) -> Ordering:
    """The ordering named by `value`, or newest first when it names none."""
    try:
        return Ordering(value)
    except ValueError:
        return Ordering.NEW


def post_list(
    *, user: AnyUser = None, q: str = "", author: str = "", ordering: str = Ordering.NEW
) -> QuerySet[Post]:
    """Posts (with their like, dislike and comment counts) and `my_reaction` of `user`."""
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
    """Usernames of everybody who has written a post, for the author filter.

    Read from the posts' author index, then each author by primary key: a join from the
    users' side scanned every user (1.2 ms with 10,000 people, most of whom never write).
    """
    authors = Post.objects.order_by().values("author_id").distinct()
    return (
        get_user_model()
        .objects.filter(pk__in=authors)
        .order_by("username")
        .values_list("username", flat=True)
    )
