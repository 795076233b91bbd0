from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from config.reverse import detail_url

POST_CONTENT_MAX_LENGTH = 50_000
COMMENT_CONTENT_MAX_LENGTH = 5_000
EDIT_GRACE = timedelta(seconds=5)


class Post(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="posts",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(
        _("content"),
        help_text=_("Markdown: **bold**, *italic*, [links](https://example.com), lists, code."),
        # TextField's max_length only reaches the form widget; the validator enforces it.
        validators=[MaxLengthValidator(POST_CONTENT_MAX_LENGTH)],
        max_length=POST_CONTENT_MAX_LENGTH,
    )
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # Kept by blog.services in the transaction that adds or removes the reaction or comment
    # (`manage.py recount_posts` recomputes them): lists read and order by plain columns.
    like_count = models.IntegerField(_("likes"), default=0, editable=False)
    dislike_count = models.IntegerField(_("dislikes"), default=0, editable=False)
    comment_count = models.IntegerField(_("comments"), default=0, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(like_count__gte=0, dislike_count__gte=0, comment_count__gte=0),
                name="blog_post_counts_not_negative",
            ),
        ]
        indexes = [
            # "Most liked" and "most discussed" read the first page straight from an index.
            models.Index(fields=["-like_count", "-created", "-id"], name="blog_post_liked"),
            models.Index(fields=["-comment_count", "-created", "-id"], name="blog_post_discussed"),
        ]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return detail_url("blog:post-detail", self.pk)

    @property
    def is_edited(self) -> bool:
        # `updated` is set a moment after `created` on insert; only a later save counts.
        return self.updated - self.created > EDIT_GRACE


class Comment(models.Model):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", verbose_name=_("post")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blog_comments",
        verbose_name=_("author"),
    )
    content = models.TextField(
        _("comment"),
        validators=[MaxLengthValidator(COMMENT_CONTENT_MAX_LENGTH)],
        max_length=COMMENT_CONTENT_MAX_LENGTH,
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    edited = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["post", "created"])]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return _("Comment by %(author)s on “%(post)s”") % {
            "author": self.author.get_username(),
            "post": self.post.title,
        }

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"


class Reaction(models.Model):
    class Value(models.TextChoices):
        LIKE = "like", _("Like")
        DISLIKE = "dislike", _("Dislike")

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="reactions", verbose_name=_("post")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blog_reactions",
        verbose_name=_("user"),
    )
    value = models.CharField(_("reaction"), max_length=7, choices=Value)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="blog_reaction_one_per_user"),
        ]
        indexes = [models.Index(fields=["post", "value"])]
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")

    def __str__(self) -> str:
        return f"{self.user.get_username()} {self.value} “{self.post.title}”"
