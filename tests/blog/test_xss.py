"""User text comes out inert everywhere: page, fragment, Markdown, admin."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from blog.templatetags.blog_tags import excerpt, render_markdown
from tests.blog.conftest import XSS
from tests.blog.factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
PAYLOAD = "\n\n".join(XSS)


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, dict(attrs)))


def dangers(html: str) -> list[str]:
    """Every way the page could run the attacker's code or requests."""
    parser = Elements()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag == "script" and "src" not in attrs:
            problems.append("inline script")
        if tag == "img" and not (attrs.get("src") or "").startswith("/static/"):
            problems.append("img")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"{tag} {name}")
            if name.startswith("hx-") and "/admin/" in (value or ""):
                problems.append(f"{tag} {name}={value}")
            if name in {"href", "src", "action"} and (value or "").lower().startswith("javascript"):
                problems.append(f"{tag} {name}={value}")
    return problems


@pytest.fixture
def evil_post(other_user):
    post = PostFactory(author=other_user, title=XSS[1], content=PAYLOAD)
    CommentFactory(post=post, author=other_user, content=PAYLOAD)
    return post


def test_the_checker_would_notice(evil_post):
    assert dangers(f"<p>{XSS[1]}</p>{XSS[0]}{XSS[2]}") == [
        "img",
        "img onerror",
        "inline script",
        "a hx-get=/admin/",
    ]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_list_is_inert(user_client, evil_post, headers):
    response = user_client.get(reverse("blog:post-list"), headers=headers)
    assert dangers(response.content.decode()) == []


def test_post_page_is_inert(user_client, evil_post):
    html = user_client.get(evil_post.get_absolute_url()).content.decode()
    assert dangers(html) == []
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown as text, not dropped silently


def test_comment_fragments_are_inert(other_client, evil_post):
    created = other_client.post(
        reverse("blog:comment-create", args=[evil_post.pk]), {"content": PAYLOAD}, headers=HTMX
    )
    assert dangers(created.content.decode()) == []
    comment = evil_post.comments.first()
    edit = reverse("blog:comment-update", args=[comment.pk])
    assert dangers(other_client.get(edit, headers=HTMX).content.decode()) == []
    saved = other_client.post(edit, {"content": PAYLOAD}, headers=HTMX)
    assert dangers(saved.content.decode()) == []


def test_reaction_fragment_is_inert(user_client, evil_post):
    response = user_client.post(
        reverse("blog:post-react", args=[evil_post.pk]), {"value": "like"}, headers=HTMX
    )
    assert dangers(response.content.decode()) == []


@pytest.mark.parametrize(
    "path",
    [
        "admin:blog_post_changelist",
        "admin:blog_comment_changelist",
        "admin:blog_reaction_changelist",
    ],
)
def test_admin_lists_are_inert(admin_client, evil_post, user, path):
    evil_post.reactions.create(user=user, value="like")
    html = admin_client.get(reverse(path)).content.decode()
    assert dangers(html) == []
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_admin_change_page_is_inert(admin_client, evil_post):
    html = admin_client.get(reverse("admin:blog_post_change", args=[evil_post.pk])).content.decode()
    assert dangers(html) == []


def test_markdown_is_rendered_and_links_are_nofollow():
    html = render_markdown("# Title\n\n*em* and `code` [site](https://example.com)\n\n- one\n- two")
    assert "<h1>Title</h1>" in html
    assert "<em>em</em>" in html
    assert "<code>code</code>" in html
    assert '<a href="https://example.com" rel="nofollow noopener">site</a>' in html
    assert "<li>one</li>" in html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "alert"),
        ('"><img src=x onerror=alert(1)>', "<img"),
        ('<a href="/" hx-get="/admin/" hx-trigger="load">x</a>', "hx-"),
        ('<p onclick="alert(1)">x</p>', "onclick"),
        ("[click](javascript:alert(1))", "javascript"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<p style="position:fixed">x</p>', "style"),
        ("<iframe src='https://evil.example'></iframe>", "iframe"),
    ],
)
def test_markdown_drops_anything_that_could_run(source, forbidden):
    assert forbidden not in render_markdown(source).lower()


def test_excerpt_is_plain_text():
    text = excerpt("Some **bold** <script>x()</script> and [a link](https://example.com)", 40)
    assert text == "Some bold and a link"
