"""The like, dislike and comment counts stored on each post stay equal to a fresh count."""

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from blog import selectors, services
from blog.models import Comment, Post, Reaction
from tests.blog.factories import PostFactory
from tests.factories import UserFactory
from tests.threads import run_at_once


def fresh(post: Post) -> tuple[int, int, int]:
    return (
        Reaction.objects.filter(post=post, value="like").count(),
        Reaction.objects.filter(post=post, value="dislike").count(),
        Comment.objects.filter(post=post).count(),
    )


def stored(post: Post) -> tuple[int, int, int]:
    return Post.objects.values_list("like_count", "dislike_count", "comment_count").get(pk=post.pk)


@pytest.mark.django_db(transaction=True)
def test_counts_stay_exact_with_reactions_and_comments_at_once():
    post = PostFactory()
    people = [UserFactory(username=f"reader{i:02d}") for i in range(12)]
    doomed = [
        services.comment_create(post=post, author=people[i], content=f"old {i}") for i in range(6)
    ]
    rng = random.Random(7)

    def reader(user):
        def job():
            for value in rng.sample(["like", "dislike", None, "like", None, "dislike"], 6):
                services.reaction_set(post=post, user=user, value=value)
            services.comment_create(post=post, author=user, content="at once")

        return job

    def deleter(comment):
        # Two threads delete each old comment: it counts once.
        return lambda: services.comment_delete(comment=comment, user=comment.author)

    jobs = [reader(user) for user in people]
    jobs += [deleter(comment) for comment in doomed] * 2
    assert run_at_once(jobs) == [None] * len(jobs)  # no job raised
    assert stored(post) == fresh(post)
    assert stored(post)[2] == len(people)
    post = selectors.post_detail(pk=post.pk)
    assert (post.like_count, post.dislike_count, post.comment_count) == fresh(post)


@pytest.mark.django_db
def test_each_service_moves_the_counts_by_one(user, other_user):
    post = PostFactory(author=user)
    state = services.reaction_set(post=post, user=other_user, value="like")
    assert (state.like_count, state.dislike_count) == (1, 0)
    assert stored(post) == (1, 0, 0)
    state = services.reaction_set(post=post, user=other_user, value="dislike")
    assert (state.like_count, state.dislike_count) == (0, 1)
    services.reaction_set(post=post, user=user, value="dislike")
    assert stored(post) == (0, 2, 0)
    state = services.reaction_set(post=post, user=other_user, value=None)
    assert (state.like_count, state.dislike_count) == (0, 1)
    comment = services.comment_create(post=post, author=other_user, content="Hi")
    assert stored(post) == (0, 1, 1)
    services.comment_delete(comment=comment, user=other_user)
    services.comment_delete(comment=comment, user=other_user)  # already gone: counted once
    assert stored(post) == fresh(post) == (0, 1, 0)


@pytest.mark.django_db
def test_deleting_a_user_recounts_the_posts_they_reacted_to_and_commented_on(user, other_user):
    post = PostFactory(author=user)
    services.reaction_set(post=post, user=other_user, value="like")
    services.reaction_set(post=post, user=user, value="like")
    services.comment_create(post=post, author=other_user, content="Bye")
    other_user.delete()
    assert stored(post) == fresh(post) == (1, 0, 0)


@pytest.mark.django_db
def test_recount_posts_repairs_stored_counts(user, other_user):
    post = PostFactory(author=user)
    services.reaction_set(post=post, user=other_user, value="dislike")
    services.comment_create(post=post, author=other_user, content="Hi")
    Post.objects.update(like_count=7, dislike_count=0, comment_count=9)
    out = StringIO()
    call_command("recount_posts", stdout=out)
    assert stored(post) == (0, 1, 1)
    assert "Recounted 1 posts." in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["like_count", "dislike_count", "comment_count"])
def test_database_refuses_a_negative_count(field):
    post = PostFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(**{field: -1})


@pytest.mark.django_db(transaction=True)
def test_migration_counts_what_was_there(user, other_user):
    executor = MigrationExecutor(connection)
    before, after = [("blog", "0001_initial")], [("blog", "0002_post_counts")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldPost, OldReaction, OldComment = (
            old.get_model("blog", name) for name in ("Post", "Reaction", "Comment")
        )
        post = OldPost.objects.create(author_id=user.pk, title="Old", content="Old text")
        OldReaction.objects.create(post=post, user_id=user.pk, value="like")
        OldReaction.objects.create(post=post, user_id=other_user.pk, value="dislike")
        OldComment.objects.create(post=post, author_id=other_user.pk, content="Old comment")
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("blog"))
    assert stored(post) == (1, 1, 1)
