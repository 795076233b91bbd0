"""The blog's demo data: a living site at first start, and nothing new on a second run."""

import pytest

from blog import demo
from blog.models import Comment, Post, Reaction
from blog.signals import post_published
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seed_twice_creates_and_announces_everything_once(django_capture_on_commit_callbacks):
    users = [UserFactory(username=name) for name in ("alice", "bob", "carol")]
    announced = []

    def listener(sender, post, **kwargs):
        announced.append(post.title)

    post_published.connect(listener, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            demo.seed(users=users)
            demo.seed(users=users)
    finally:
        post_published.disconnect(listener)

    assert Post.objects.count() == len(demo.POSTS)
    assert Comment.objects.count() == len(demo.COMMENTS)
    assert Reaction.objects.count() == len(demo.REACTIONS)
    assert sorted(announced) == sorted(title for _, title, _ in demo.POSTS)
