"""The blog's JSON API: posts, comments and reactions, over blog.services and blog.selectors."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from blog import selectors, services
from blog.models import Comment, Post, Reaction
from blog.schemas import (
    CommentIn,
    CommentOut,
    PostDetailOut,
    PostFilters,
    PostIn,
    PostOut,
    PostPatchIn,
    ReactionOut,
)
from config.apikit import READ_AUTH, Page, errors, kept_answer

router = Router(tags=["blog"])

# The API shows display names, which live on the user's profile (shop.UserProfile).
AUTHOR = ("author__profile",)


def _post(request: HttpRequest, pk: int) -> Post:
    """The annotated post (counts, the caller's reaction) with its author's profile, or 404."""
    return selectors.post_detail(pk=pk, user=request.user)


@router.get(
    "/posts/",
    response={200: list[PostOut], **errors(401, 422)},
    auth=READ_AUTH,
    summary="List posts",
)
@kept_answer
@paginate(Page)
def post_list(request: HttpRequest, filters: Query[PostFilters]) -> QuerySet[Post]:
    return selectors.post_list(user=request.user, **filters.dict()).select_related(*AUTHOR)


@router.post(
    "/posts/",
    response={201: PostOut, **errors(400, 401, 403, 422)},
    summary="Publish a post",
)
def post_create(request: HttpRequest, payload: PostIn) -> Status[Post]:
    post = services.post_create(author=request.user, **payload.dict())
    return Status(201, _post(request, post.pk))


@router.get(
    "/posts/{id}/",
    response={200: PostDetailOut, **errors(401, 404, 422)},
    auth=READ_AUTH,
    summary="A post with its comments",
)
@kept_answer
def post_detail(request: HttpRequest, id: int) -> Post:
    post = _post(request, id)
    post.comment_rows = list(selectors.comment_list(post=post).select_related(*AUTHOR))
    return post


@router.put(
    "/posts/{id}/",
    response={200: PostOut, **errors(400, 401, 403, 404, 422)},
    summary="Replace a post's title and content",
)
def post_replace(request: HttpRequest, id: int, payload: PostIn) -> Post:
    services.post_update(post=_post(request, id), user=request.user, **payload.dict())
    return _post(request, id)


@router.patch(
    "/posts/{id}/",
    response={200: PostOut, **errors(400, 401, 403, 404, 422)},
    summary="Change a post's title or content",
)
def post_update(request: HttpRequest, id: int, payload: PostPatchIn) -> Post:
    changes = payload.dict(exclude_unset=True)
    services.post_update(post=_post(request, id), user=request.user, **changes)
    return _post(request, id)


@router.delete(
    "/posts/{id}/",
    response={204: None, **errors(401, 403, 404, 422)},
    summary="Delete a post",
)
def post_delete(request: HttpRequest, id: int) -> Status[None]:
    services.post_delete(post=_post(request, id), user=request.user)
    return Status(204, None)


def _react(request: HttpRequest, pk: int, value: str | None) -> ReactionOut:
    state = services.reaction_set(post=_post(request, pk), user=request.user, value=value)
    return ReactionOut(
        like_count=state.like_count, dislike_count=state.dislike_count, my_reaction=state.value
    )


REACTION_RESPONSES = {200: ReactionOut, **errors(401, 403, 404, 422)}


@router.post("/posts/{id}/like/", response=REACTION_RESPONSES, summary="Like a post")
def post_like(request: HttpRequest, id: int) -> ReactionOut:
    return _react(request, id, Reaction.Value.LIKE)


@router.post("/posts/{id}/dislike/", response=REACTION_RESPONSES, summary="Dislike a post")
def post_dislike(request: HttpRequest, id: int) -> ReactionOut:
    return _react(request, id, Reaction.Value.DISLIKE)


@router.post(
    "/posts/{id}/unlike/",
    response=REACTION_RESPONSES,
    summary="Take one's reaction back",
    description="Removes the caller's like or dislike, whichever it is.",
)
def post_unlike(request: HttpRequest, id: int) -> ReactionOut:
    return _react(request, id, None)


@router.get(
    "/posts/{id}/comments/",
    response={200: list[CommentOut], **errors(401, 404, 422)},
    auth=READ_AUTH,
    summary="A post's comments, oldest first",
)
@paginate(Page)
def comment_list(request: HttpRequest, id: int) -> QuerySet[Comment]:
    post = selectors.post_detail(pk=id)
    return selectors.comment_list(post=post).select_related(*AUTHOR)


@router.post(
    "/posts/{id}/comments/",
    response={201: CommentOut, **errors(400, 401, 403, 404, 422)},
    summary="Comment on a post",
)
def comment_create(request: HttpRequest, id: int, payload: CommentIn) -> Status[Comment]:
    post = _post(request, id)
    comment = services.comment_create(post=post, author=request.user, **payload.dict())
    return Status(201, selectors.comment_get(pk=comment.pk))


@router.get(
    "/comments/{id}/",
    response={200: CommentOut, **errors(401, 404, 422)},
    auth=READ_AUTH,
    summary="A comment",
)
def comment_detail(request: HttpRequest, id: int) -> Comment:
    return selectors.comment_get(pk=id)


@router.patch(
    "/comments/{id}/",
    response={200: CommentOut, **errors(400, 401, 403, 404, 422)},
    summary="Change a comment",
)
def comment_update(request: HttpRequest, id: int, payload: CommentIn) -> Comment:
    comment = selectors.comment_get(pk=id)
    services.comment_update(comment=comment, user=request.user, **payload.dict())
    return selectors.comment_get(pk=id)


@router.delete(
    "/comments/{id}/",
    response={204: None, **errors(401, 403, 404, 422)},
    summary="Delete a comment",
)
def comment_delete(request: HttpRequest, id: int) -> Status[None]:
    services.comment_delete(comment=selectors.comment_get(pk=id), user=request.user)
    return Status(204, None)
