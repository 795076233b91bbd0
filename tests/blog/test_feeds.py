"""Atom feeds of the blog, the links that advertise them, and the posts' link previews."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.feeds import FEED_SIZE
from blog.models import Post
from tests.blog.factories import PostFactory
from tests.factories import UserFactory
from tests.pagemeta import feed_links, page_meta

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
NASTY_TITLE = '<script>alert("t")</script> & "quotes" \'too\''


def entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)  # well-formed XML, whatever the posts hold
    assert feed.tag == f"{ATOM}feed"
    return feed.findall(f"{ATOM}entry")


def text(entry: ET.Element, name: str) -> str:
    return entry.find(f"{ATOM}{name}").text or ""


def aged_posts(author, count: int) -> list[Post]:
    """`count` posts, the first the newest."""
    now = timezone.now()
    posts = [PostFactory(author=author, title=f"Post {i}") for i in range(count)]
    for age, post in enumerate(posts):
        Post.objects.filter(pk=post.pk).update(created=now - timedelta(hours=age))
    return posts


def test_the_feed_has_the_newest_posts_first(client, user):
    posts = aged_posts(user, FEED_SIZE + 3)
    found = entries(client.get(reverse("blog:post-feed")))
    assert [text(e, "title") for e in found] == [p.title for p in posts[:FEED_SIZE]]
    first = found[0]
    assert first.find(f"{ATOM}link").get("href") == f"http://testserver/posts/{posts[0].pk}/"
    assert first.find(f"{ATOM}author/{ATOM}name").text == "alice"


def test_an_authors_feed_has_only_their_posts(client, user, other_user):
    mine = PostFactory(author=user, title="Mine")
    PostFactory(author=other_user, title="Theirs")
    found = entries(client.get(reverse("blog:author-feed", args=["alice"])))
    assert [text(e, "title") for e in found] == [mine.title]
    assert client.get(reverse("blog:author-feed", args=["nobody"])).status_code == 404


def test_user_text_in_the_feed_is_escaped_and_the_html_sanitised(client, user):
    PostFactory(
        author=user,
        title=NASTY_TITLE,
        content='Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> **bold**',
    )
    raw = client.get(reverse("blog:post-feed")).content.decode()
    assert "<script>" not in raw
    [entry] = entries(client.get(reverse("blog:post-feed")))
    assert text(entry, "title") == NASTY_TITLE  # exactly the text, shown as text
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<strong>bold</strong>" in summary.text
    for unsafe in ("<script", "onerror", "<img"):
        assert unsafe not in summary.text


def test_blog_pages_advertise_their_feeds(client, user):
    post = PostFactory(author=user)
    latest = ("/feed/", "Agora: the newest posts")
    by_alice = ("/authors/alice/feed/", "Agora: posts by alice")
    assert feed_links(client.get(reverse("blog:post-list")).text) == [latest]
    assert feed_links(client.get(reverse("blog:author-posts", args=["alice"])).text) == [
        latest,
        by_alice,
    ]
    assert feed_links(client.get(post.get_absolute_url()).text) == [latest, by_alice]


def test_an_author_name_in_the_feed_link_is_escaped(client):
    user = UserFactory(username='x"><b>')
    PostFactory(author=user)
    page = client.get(reverse("blog:author-posts", args=[user.username])).text
    assert '"><b>' not in page
    assert ("/authors/x%22%3E%3Cb%3E/feed/", 'Agora: posts by x"><b>') in feed_links(page)


def test_a_post_page_has_its_link_preview(client, user):
    post = PostFactory(
        author=user,
        title=NASTY_TITLE,
        content='# Heading\n\nSome *text* with "quotes" and <script>alert(1)</script> in it.',
    )
    response = client.get(post.get_absolute_url())
    meta = page_meta(response.text)
    assert meta["og:title"] == NASTY_TITLE
    assert meta["og:type"] == "article"
    assert meta["og:url"] == f"http://testserver{post.get_absolute_url()}"
    assert meta["og:site_name"] == "Agora"
    assert meta["description"] == meta["og:description"]
    assert meta["description"].startswith('Heading Some text with "quotes"')
    assert "og:image" not in meta
    assert meta["twitter:card"] == "summary"
    assert "<script>alert" not in response.text
