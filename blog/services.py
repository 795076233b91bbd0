"""Writes of the blog. Views and API endpoints call these and nothing else to change data."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from blog.models import Comment, Post, Reaction
from blog.signals import (
    comment_changed,
    comment_created,
    comment_deleted,
    post_changed,
    post_deleted,
    post_published,
    reaction_changed,
)


@dataclass(frozen=True)
class ReactionState:
    """A post's counts after a reaction, and the reacting user's own reaction."""

    like_count: int
    dislike_count: int
    value: str | None


def can_change(*, user: AbstractBaseUser | AnonymousUser, obj: Post | Comment) -> bool:
    """Whether `user` may edit or delete `obj`: its author, or staff as moderator."""
    return bool(user.is_authenticated and (obj.author_id == user.pk or user.is_staff))


def ensure_can_change(*, user: AbstractBaseUser | AnonymousUser, obj: Post | Comment) -> None:
    """Raise PermissionDenied unless `user` may edit or delete `obj`."""
    if not can_change(user=user, obj=obj):
        raise PermissionDenied(_("Only the author or a moderator can change this."))


def _send_on_commit(signal, **kwargs) -> None:
    # send_robust: a failing receiver (notifications) must not turn a saved write into an error.
    transaction.on_commit(partial(signal.send_robust, **kwargs))


def _add_counts(post_id: int, **deltas: int) -> None:
    # One UPDATE ... SET n = n + delta: exact under concurrency, whatever else the row holds.
    changes = {name: F(name) + delta for name, delta in deltas.items() if delta}
    if changes:
        Post.objects.filter(pk=post_id).update(**changes)


def _clean(obj: models.Model, **fields: str) -> None:
    for name, value in fields.items():
        setattr(obj, name, value.strip())
    # Not what was sent: the stored counts (kept by F() updates, checked by the database).
    obj.full_clean(exclude=[f.name for f in obj._meta.fields if not f.editable])


@transaction.atomic
def post_create(*, author: AbstractBaseUser, title: str, content: str) -> Post:
    """Publish a new post by `author`."""
    post = Post(author=author)
    _clean(post, title=title, content=content)
    post.save()
    _send_on_commit(post_published, sender=Post, post=post)
    return post


@transaction.atomic
def post_update(
    *,
    post: Post,
    user: AbstractBaseUser,
    title: str | None = None,
    content: str | None = None,
) -> Post:
    """Change a post's title and/or content (author or staff)."""
    ensure_can_change(user=user, obj=post)
    fields = {
        name: value for name, value in (("title", title), ("content", content)) if value is not None
    }
    if fields:
        _clean(post, **fields)
        post.save(update_fields=[*fields, "updated"])
        _send_on_commit(post_changed, sender=Post, post=post)
    return post


@transaction.atomic
def post_delete(*, post: Post, user: AbstractBaseUser) -> None:
    """Delete a post with its comments and reactions (author or staff)."""
    ensure_can_change(user=user, obj=post)
    _send_on_commit(post_deleted, sender=Post, post_id=post.pk)
    post.delete()


@transaction.atomic
def comment_create(*, post: Post, author: AbstractBaseUser, content: str) -> Comment:
    """Add `author`'s comment to `post`."""
    comment = Comment(post=post, author=author)
    _clean(comment, content=content)
    comment.save()
    _add_counts(post.pk, comment_count=1)
    _send_on_commit(comment_created, sender=Comment, comment=comment)
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, user: AbstractBaseUser, content: str) -> Comment:
    """Change a comment's text (author or staff) and mark it edited."""
    ensure_can_change(user=user, obj=comment)
    _clean(comment, content=content)
    comment.edited = timezone.now()
    comment.save(update_fields=["content", "edited"])
    _send_on_commit(comment_changed, sender=Comment, comment=comment)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user: AbstractBaseUser) -> None:
    """Delete a comment (author or staff)."""
    ensure_can_change(user=user, obj=comment)
    _send_on_commit(comment_deleted, sender=Comment, comment_id=comment.pk, post_id=comment.post_id)
    # Counted only when this call removed the row: two deletes of one comment count once.
    deleted, _rows = Comment.objects.filter(pk=comment.pk).delete()
    _add_counts(comment.post_id, comment_count=-deleted)


@transaction.atomic
def reaction_set(*, post: Post, user: AbstractBaseUser, value: str | None) -> ReactionState:
    """Set `user`'s reaction to `post` to like or dislike, or take it back with None."""
    if value is not None and value not in Reaction.Value.values:
        raise ValidationError({"value": _("Choose like or dislike.")}, code="invalid_choice")
    # Lock the post row (where the database can): one user's concurrent clicks queue up
    # instead of colliding on the one-reaction constraint, and the counts read here stay
    # true until the commit; a deleted post is a 404.
    like_count, dislike_count = get_object_or_404(
        Post.objects.select_for_update().values_list("like_count", "dislike_count"), pk=post.pk
    )
    current = Reaction.objects.filter(post=post, user=user).first()
    previous = current.value if current else None
    if value is None:
        if current:
            current.delete()
    elif current is None:
        Reaction.objects.create(post=post, user=user, value=value)
    elif current.value != value:
        current.value = value
        current.save(update_fields=["value", "updated"])
    like, dislike = Reaction.Value.LIKE, Reaction.Value.DISLIKE
    likes = (value == like) - (previous == like)
    dislikes = (value == dislike) - (previous == dislike)
    _add_counts(post.pk, like_count=likes, dislike_count=dislikes)
    if value != previous:
        _send_on_commit(reaction_changed, sender=Post, post=post, user=user, value=value)
    return ReactionState(
        like_count=like_count + likes, dislike_count=dislike_count + dislikes, value=value
    )


def _counted(model: type[models.Model], **filters: str) -> Coalesce:
    counted = (
        model.objects.filter(post=OuterRef("pk"), **filters)
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


@transaction.atomic
def post_counts_refresh(*, post_ids: Iterable[int] | None = None) -> int:
    """Recount the stored like, dislike and comment counts (all posts, or these); how many."""
    posts = Post.objects.all() if post_ids is None else Post.objects.filter(pk__in=post_ids)
    return posts.update(
        like_count=_counted(Reaction, value=Reaction.Value.LIKE),
        dislike_count=_counted(Reaction, value=Reaction.Value.DISLIKE),
        comment_count=_counted(Comment),
    )
