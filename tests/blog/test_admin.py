"""The admin: posts with their comments inline, search, filters and reaction counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.blog.factories import CommentFactory, PostFactory, ReactionFactory

pytestmark = pytest.mark.django_db


def test_post_changelist_shows_counts(admin_client, post, user, other_user):
    ReactionFactory(post=post, user=user, value="like")
    ReactionFactory(post=post, user=other_user, value="dislike")
    CommentFactory.create_batch(3, post=post)
    response = admin_client.get(reverse("admin:blog_post_changelist"))
    row = response.context["cl"].result_list[0]
    assert (row.like_count, row.dislike_count, row.comment_count) == (1, 1, 3)


def test_post_changelist_search_and_author_filter(admin_client, user, other_user):
    PostFactory(author=user, title="Django tips")
    PostFactory(author=other_user, title="Gardening")
    url = reverse("admin:blog_post_changelist")
    found = admin_client.get(url, {"q": "django"}).context["cl"].result_list
    assert [p.title for p in found] == ["Django tips"]
    filtered = admin_client.get(url, {"author__id__exact": other_user.pk}).context["cl"]
    assert [p.title for p in filtered.result_list] == ["Gardening"]


def test_post_changelist_can_sort_by_likes(admin_client, user):
    liked = PostFactory(title="liked")
    PostFactory(title="plain")
    ReactionFactory(post=liked, user=user)
    response = admin_client.get(reverse("admin:blog_post_changelist"), {"o": "-4"})
    assert [p.title for p in response.context["cl"].result_list] == ["liked", "plain"]


def test_post_change_page_has_comments_inline(admin_client, post, comment):
    response = admin_client.get(reverse("admin:blog_post_change", args=[post.pk]))
    assert response.status_code == 200
    assert "First comment" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "admin:blog_post_changelist",
        "admin:blog_comment_changelist",
        "admin:blog_reaction_changelist",
    ],
)
def test_admin_lists_cost_the_same_for_5_or_50_rows(admin_client, name):
    def add_and_count(n: int) -> int:
        for _ in range(n):
            comment = CommentFactory()
            ReactionFactory(post=comment.post)
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse(name)).status_code == 200
        return len(captured)

    assert add_and_count(5) == add_and_count(45)
