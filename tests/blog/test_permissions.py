"""Who may write what: anonymous, author, other user, staff; page, fragment, form post."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from blog.models import Comment, Post, Reaction

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ROLES = ["anonymous", "author", "other", "staff"]

# (what, method, url name, object the url names, form data)
CHANGES = [
    ("post edit page", "get", "blog:post-update", "post", None),
    ("post edit", "post", "blog:post-update", "post", {"title": "Changed", "content": "Changed"}),
    ("post delete page", "get", "blog:post-delete", "post", None),
    ("post delete", "post", "blog:post-delete", "post", {}),
    ("comment edit form", "get", "blog:comment-update", "comment", None),
    ("comment edit", "post", "blog:comment-update", "comment", {"content": "Changed"}),
    ("comment delete", "post", "blog:comment-delete", "comment", {}),
]


def stored() -> tuple:
    """Everything a write could change, to compare before and after."""
    return (
        list(Post.objects.values_list("pk", "title", "content")),
        list(Comment.objects.values_list("pk", "content")),
        list(Reaction.objects.values_list("post", "user", "value")),
    )


def login_next(response) -> str | None:
    """The `next` of a redirect to the login page (plain or htmx), or None."""
    location = response.headers.get("HX-Redirect") or response.headers.get("Location") or ""
    url = urlsplit(location)
    if url.path != reverse("account_login"):
        return None
    return parse_qs(url.query)["next"][0]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("what", "method", "name", "target", "data"), CHANGES, ids=[c[0] for c in CHANGES]
)
def test_only_author_or_staff_change_posts_and_comments(
    clients, post, comment, role, what, method, name, target, data, headers
):
    obj = post if target == "post" else comment
    url = reverse(name, args=[obj.pk])
    before = stored()
    response = getattr(clients[role], method)(url, data, headers=headers)

    if role == "anonymous":
        assert login_next(response) is not None
        assert response.status_code == (200 if headers else 302)
        assert stored() == before
    elif role == "other":
        assert response.status_code == 403
        assert stored() == before
    else:
        assert response.status_code in {200, 302}
        assert (stored() != before) == (method == "post")


@pytest.mark.parametrize(
    ("name", "data"),
    [("blog:post-react", {"value": "like"}), ("blog:comment-create", {"content": "Hi"})],
)
def test_anonymous_like_or_comment_goes_to_login_and_back(anon_client, post, name, data):
    url = reverse(name, args=[post.pk])
    before = stored()

    htmx = anon_client.post(url, data, headers=HTMX)
    assert htmx.status_code == 200  # htmx only follows HX-Redirect on a success
    assert login_next(htmx).startswith(post.get_absolute_url())

    plain = anon_client.post(url, data)
    assert plain.status_code == 302
    assert login_next(plain).startswith(post.get_absolute_url())
    assert stored() == before


@pytest.mark.parametrize("role", ["author", "other", "staff"])
def test_every_signed_in_user_may_react_and_comment(clients, post, role):
    client = clients[role]
    assert (
        client.post(reverse("blog:post-react", args=[post.pk]), {"value": "like"}).status_code
        == 302
    )
    assert (
        client.post(reverse("blog:comment-create", args=[post.pk]), {"content": "Hi"}).status_code
        == 302
    )
    assert Reaction.objects.count() == 1
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_anybody_reads_everything(clients, post, comment, role):
    client = clients[role]
    for url in (
        reverse("blog:post-list"),
        post.get_absolute_url(),
        reverse("blog:author-posts", args=[post.author.username]),
    ):
        assert client.get(url).status_code == 200, url
