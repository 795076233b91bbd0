"""The blog's API shapes: what clients send (`...In`) and what they get (`...Out`)."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from blog.models import COMMENT_CONTENT_MAX_LENGTH, POST_CONTENT_MAX_LENGTH
from blog.selectors import Ordering
from config.apikit import InSchema, Text, UserOut

ReactionValue = Literal["like", "dislike"]
OrderingValue = Literal[tuple(Ordering.values)]  # type: ignore[valid-type]


class PostFilters(Schema):
    q: Text = Field("", max_length=200, description="Words that title or content contain.")
    author: Text = Field("", max_length=150, description="The author's username.")
    ordering: OrderingValue = Field(
        Ordering.NEW.value, description="`new`, `liked` (most likes) or `discussed`."
    )


class PostIn(InSchema):
    title: Text = Field(max_length=200)
    content: Text = Field(max_length=POST_CONTENT_MAX_LENGTH, description="Markdown.")


class PostPatchIn(InSchema):
    # Absent means unchanged; null is not a title.
    title: Text = Field(None, max_length=200)  # type: ignore[assignment]
    content: Text = Field(None, max_length=POST_CONTENT_MAX_LENGTH)  # type: ignore[assignment]


class ReactionOut(Schema):
    like_count: int
    dislike_count: int
    my_reaction: ReactionValue | None = Field(
        description="The caller's reaction; null for none (or an anonymous caller)."
    )


class PostOut(Schema):
    id: int
    title: str
    content: str
    author: UserOut
    created: datetime
    updated: datetime
    like_count: int
    dislike_count: int
    comment_count: int
    my_reaction: ReactionValue | None
    url: str = Field(description="The post's page on the site.")

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class CommentIn(InSchema):
    content: Text = Field(max_length=COMMENT_CONTENT_MAX_LENGTH)


class CommentOut(Schema):
    id: int
    post_id: int
    author: UserOut
    content: str
    created: datetime
    edited: datetime | None


class PostDetailOut(PostOut):
    comments: list[CommentOut] = Field(description="Every comment, oldest first.")

    @staticmethod
    def resolve_comments(obj) -> list:
        # The endpoint reads them through the selector and hangs them on the post.
        return obj.comment_rows
