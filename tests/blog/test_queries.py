"""Query budgets: the list and the post page cost the same with 5 or 50 posts and comments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.blog.factories import CommentFactory, PostFactory, ReactionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def queries(client, url: str, **kwargs) -> tuple[int, int]:
    """All queries of a page, and those that read blog tables (what this app controls)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(captured), sum('"blog_' in q["sql"] for q in captured)


def make_posts(n: int, user) -> None:
    authors = UserFactory.create_batch(3)
    for i in range(n):
        post = PostFactory(author=authors[i % 3])
        CommentFactory(post=post, author=authors[(i + 1) % 3])
        ReactionFactory(post=post, user=authors[(i + 2) % 3], value="dislike")
        ReactionFactory(post=post, user=user, value="like")


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
@pytest.mark.parametrize("who", ["anonymous", "signed in"])
def test_post_list_costs_the_same_for_5_or_50_posts(client, user, headers, who):
    if who == "signed in":
        client.force_login(user)
    url = reverse("blog:post-list")
    make_posts(5, user)
    few = queries(client, url, headers=headers)
    make_posts(45, user)
    many = queries(client, url, headers=headers)
    assert few == many
    # count, page of annotated posts, and (full page) the authors for the filter
    assert many[1] <= 3


def test_author_page_costs_the_same_for_5_or_50_posts(client, user):
    url = reverse("blog:author-posts", args=[user.username])
    PostFactory.create_batch(5, author=user)
    few = queries(client, url)
    PostFactory.create_batch(45, author=user)
    assert queries(client, url) == few


@pytest.mark.parametrize("who", ["anonymous", "signed in"])
def test_post_page_costs_the_same_for_5_or_50_comments(client, user, post, who):
    if who == "signed in":
        client.force_login(user)
    commenters = UserFactory.create_batch(5)

    def comment(n: int) -> None:
        for i in range(n):
            CommentFactory(post=post, author=commenters[i % 5])
            ReactionFactory(post=post, user=UserFactory())

    comment(5)
    few = queries(client, post.get_absolute_url())
    comment(45)
    many = queries(client, post.get_absolute_url())
    assert few == many
    assert many[1] == 2  # the annotated post, its comments with their authors


def test_comments_fragment_costs_the_same_for_5_or_50_comments(other_client, post):
    url = reverse("blog:comment-create", args=[post.pk])

    def add_and_count(n: int) -> int:
        CommentFactory.create_batch(n, post=post)
        with CaptureQueriesContext(connection) as captured:
            other_client.post(url, {"content": "hi"}, headers=HTMX)
        return len(captured)

    assert add_and_count(5) == add_and_count(45)
