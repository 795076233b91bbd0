import pytest
from django.test import Client

from tests.blog.factories import CommentFactory, PostFactory

# What an attacker would type into a title, a post or a comment.
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '<a hx-get="/admin/" hx-trigger="load">x</a>',
    "[click](javascript:alert(1))",
]


@pytest.fixture
def post(user):
    return PostFactory(author=user, title="Hello Agora", content="First *post*.")


@pytest.fixture
def comment(post, user):
    return CommentFactory(post=post, author=user, content="First comment")


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture
def clients(anon_client, user_client, other_client, staff_client) -> dict[str, Client]:
    """Every kind of visitor of the permission matrix, by name."""
    return {
        "anonymous": anon_client,
        "author": user_client,
        "other": other_client,
        "staff": staff_client,
    }
