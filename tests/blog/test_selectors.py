"""The blog's reads: each reader sees their own reaction, in every list and on every post."""

import pytest

from blog import selectors
from blog.models import Reaction
from tests.blog.factories import PostFactory, ReactionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "filters",
    [{}, {"q": "garden"}, {"author": "ann"}, {"ordering": "liked"}, {"ordering": "discussed"}],
)
def test_each_reader_sees_their_own_reaction_and_nobody_elses(filters):
    ann, bob, cy = (UserFactory(username=name) for name in ("ann", "bob", "cy"))
    posts = [
        PostFactory(author=author, title=f"{topic} {n}")
        for n, (author, topic) in enumerate([(ann, "garden"), (bob, "garden"), (ann, "sea")])
    ]
    ReactionFactory(post=posts[0], user=bob, value="like")
    ReactionFactory(post=posts[0], user=cy, value="dislike")
    ReactionFactory(post=posts[1], user=bob, value="dislike")
    ReactionFactory(post=posts[2], user=ann, value="like")
    for reader in (ann, bob, cy, None):
        mine = {r.post_id: r.value for r in Reaction.objects.filter(user=reader)}
        listed = selectors.post_list(user=reader, **filters)
        assert listed.count() == len(listed) > 0
        assert {post.pk: post.my_reaction for post in listed} == {
            post.pk: mine.get(post.pk) for post in listed
        }
        for post in posts:
            shown = selectors.post_detail(pk=post.pk, user=reader)
            assert shown.my_reaction == mine.get(post.pk)
