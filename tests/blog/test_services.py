"""The blog's write rules: validation, permissions, one reaction per user, signals on commit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from blog import services
from blog.models import Comment, Post, Reaction
from blog.signals import comment_created, post_published, reaction_changed
from tests.blog.factories import CommentFactory, ReactionFactory

pytestmark = pytest.mark.django_db


class Recorder:
    """Collects what a signal sends, connected for the length of one test."""

    def __init__(self, signal):
        self.calls: list[dict] = []
        self.signal = signal

    def __call__(self, sender, **kwargs):
        kwargs.pop("signal")
        self.calls.append({"sender": sender, **kwargs})


@pytest.fixture
def record():
    connected = []

    def connect(signal) -> Recorder:
        recorder = Recorder(signal)
        signal.connect(recorder, weak=False)
        connected.append(recorder)
        return recorder

    yield connect
    for recorder in connected:
        recorder.signal.disconnect(recorder)


# --- posts ---


def test_post_create_strips_and_saves(user):
    post = services.post_create(author=user, title="  Title  ", content=" Body ")
    post.refresh_from_db()
    assert (post.author, post.title, post.content) == (user, "Title", "Body")


@pytest.mark.parametrize(
    ("title", "content", "field"),
    [
        ("", "Body", "title"),
        ("   ", "Body", "title"),
        ("x" * 300, "Body", "title"),
        ("T", "", "content"),
    ],
)
def test_post_create_refuses_bad_input_and_stores_nothing(user, title, content, field, record):
    published = record(post_published)
    with pytest.raises(ValidationError) as raised:
        services.post_create(author=user, title=title, content=content)
    assert field in raised.value.message_dict
    assert not Post.objects.exists()
    assert published.calls == []


def test_post_create_signals_after_commit_only(user, record, django_capture_on_commit_callbacks):
    published = record(post_published)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_create(author=user, title="T", content="C")
        assert published.calls == []  # not before the transaction commits
    assert published.calls == [{"sender": Post, "post": post}]


def test_rolled_back_post_signals_nothing(user, record, django_capture_on_commit_callbacks):
    published = record(post_published)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.post_create(author=user, title="T", content="C")
        raise RuntimeError("roll back")
    assert published.calls == []
    assert not Post.objects.exists()


def test_a_failing_receiver_does_not_break_the_write(
    user, record, django_capture_on_commit_callbacks
):
    def broken(sender, **kwargs):
        raise RuntimeError("notify is down")

    post_published.connect(broken, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post = services.post_create(author=user, title="T", content="C")
    finally:
        post_published.disconnect(broken)
    assert Post.objects.filter(pk=post.pk).exists()


@pytest.mark.parametrize("who", ["author", "staff"])
def test_author_and_staff_may_update_a_post(post, user, staff_user, who):
    editor = user if who == "author" else staff_user
    services.post_update(post=post, user=editor, title="New title")
    post.refresh_from_db()
    assert (post.title, post.content, post.author) == ("New title", "First *post*.", user)


def test_other_user_may_not_update_or_delete_a_post(post, other_user):
    with pytest.raises(PermissionDenied):
        services.post_update(post=post, user=other_user, title="Mine now")
    with pytest.raises(PermissionDenied):
        services.post_delete(post=post, user=other_user)
    post.refresh_from_db()
    assert post.title == "Hello Agora"


def test_post_update_refuses_an_empty_title(post, user):
    with pytest.raises(ValidationError) as raised:
        services.post_update(post=post, user=user, title="")
    assert "title" in raised.value.message_dict
    post.refresh_from_db()
    assert post.title == "Hello Agora"


def test_post_delete_takes_comments_and_reactions_along(post, user, other_user):
    CommentFactory(post=post)
    ReactionFactory(post=post, user=other_user)
    services.post_delete(post=post, user=user)
    assert not Post.objects.exists()
    assert not Comment.objects.exists()
    assert not Reaction.objects.exists()


# --- comments ---


def test_comment_create_signals_after_commit(
    post, other_user, record, django_capture_on_commit_callbacks
):
    created = record(comment_created)
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(post=post, author=other_user, content=" Nice! ")
    assert comment.content == "Nice!"
    assert created.calls == [{"sender": Comment, "comment": comment}]


@pytest.mark.parametrize("content", ["", "   ", "x" * 5001])
def test_comment_create_refuses_bad_content(post, other_user, content, record):
    created = record(comment_created)
    with pytest.raises(ValidationError) as raised:
        services.comment_create(post=post, author=other_user, content=content)
    assert "content" in raised.value.message_dict
    assert not Comment.objects.exists()
    assert created.calls == []


def test_comment_update_marks_it_edited(comment, user):
    assert comment.edited is None
    services.comment_update(comment=comment, user=user, content="Better")
    comment.refresh_from_db()
    assert comment.content == "Better"
    assert comment.edited is not None


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_other_user_may_not_change_a_comment(comment, other_user, operation):
    with pytest.raises(PermissionDenied):
        if operation == "update":
            services.comment_update(comment=comment, user=other_user, content="Hacked")
        else:
            services.comment_delete(comment=comment, user=other_user)
    comment.refresh_from_db()
    assert comment.content == "First comment"


def test_staff_may_delete_a_comment(comment, staff_user):
    services.comment_delete(comment=comment, user=staff_user)
    assert not Comment.objects.exists()


def test_post_author_may_not_delete_someone_elses_comment(post, user, other_user):
    comment = CommentFactory(post=post, author=other_user)
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, user=user)


# --- reactions ---


def test_reaction_like_switch_and_take_back(post, other_user):
    state = services.reaction_set(post=post, user=other_user, value="like")
    assert (state.like_count, state.dislike_count, state.value) == (1, 0, "like")

    state = services.reaction_set(post=post, user=other_user, value="dislike")
    assert (state.like_count, state.dislike_count, state.value) == (0, 1, "dislike")
    assert Reaction.objects.count() == 1

    state = services.reaction_set(post=post, user=other_user, value=None)
    assert (state.like_count, state.dislike_count, state.value) == (0, 0, None)
    assert not Reaction.objects.exists()


def test_reactions_of_several_users_add_up(post, user, other_user, staff_user):
    services.reaction_set(post=post, user=user, value="like")
    services.reaction_set(post=post, user=other_user, value="like")
    state = services.reaction_set(post=post, user=staff_user, value="dislike")
    assert (state.like_count, state.dislike_count) == (2, 1)


def test_same_reaction_twice_counts_once_and_signals_once(
    post, other_user, record, django_capture_on_commit_callbacks
):
    changed = record(reaction_changed)
    with django_capture_on_commit_callbacks(execute=True):
        services.reaction_set(post=post, user=other_user, value="like")
        state = services.reaction_set(post=post, user=other_user, value="like")
    assert state.like_count == 1
    assert changed.calls == [{"sender": Post, "post": post, "user": other_user, "value": "like"}]


def test_taking_back_a_reaction_signals_none(
    post, other_user, record, django_capture_on_commit_callbacks
):
    ReactionFactory(post=post, user=other_user, value="dislike")
    changed = record(reaction_changed)
    with django_capture_on_commit_callbacks(execute=True):
        services.reaction_set(post=post, user=other_user, value=None)
    assert changed.calls == [{"sender": Post, "post": post, "user": other_user, "value": None}]


def test_unknown_reaction_value_is_refused(post, other_user):
    with pytest.raises(ValidationError):
        services.reaction_set(post=post, user=other_user, value="love")
    assert not Reaction.objects.exists()


def test_reacting_to_a_deleted_post_is_not_found(post, user, other_user):
    services.post_delete(post=post, user=user)
    with pytest.raises(Http404):
        services.reaction_set(post=post, user=other_user, value="like")
    assert not Reaction.objects.exists()


def test_database_holds_one_reaction_per_user_and_post(post, other_user):
    ReactionFactory(post=post, user=other_user, value="like")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(post=post, user=other_user, value="dislike")
