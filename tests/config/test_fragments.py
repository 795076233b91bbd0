"""Cached post and product cards: the same HTML as rendered afresh, and never stale."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from blog import services as blog_services
from blog.models import Comment, Post
from notify import live
from shop import services as shop_services
from tests.blog.factories import PostFactory
from tests.shop.factories import CategoryFactory, ProductFactory, fund

# Committed for real: the reads kept under the content version (config/versions.py) are in
# play only outside a transaction with content writes of its own.
pytestmark = pytest.mark.django_db(transaction=True)

NO_FRAGMENT_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "template_fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "reads": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
# What differs between two renders of one request anyway: CSRF masks and CSP nonces.
PER_RESPONSE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'"X-CSRFToken": "[^"]+"'), '"X-CSRFToken"'),
    (re.compile(r'nonce="[^"]+"'), "nonce"),
    (re.compile(r"live_since=\d+"), "live_since"),  # the page's render time, for the stream
]


@pytest.fixture(autouse=True)
def _empty_fragment_cache():
    for cache in ("template_fragments", "reads"):
        caches[cache].clear()
    yield
    for cache in ("template_fragments", "reads"):
        caches[cache].clear()
    # The live updates these commits left waiting would run after the test's database is gone.
    with live.coalescer.condition:
        live.coalescer.windows.clear()


def html(client: Client, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    text = response.content.decode()
    for pattern, replacement in PER_RESPONSE:
        text = pattern.sub(replacement, text)
    return text


@pytest.fixture
def site(user, other_user, staff_user):
    """Posts with comments and reactions, products with a sale: every card has its parts."""
    post = PostFactory(author=user, title="Cards & <caches>", content="Some *text*.")
    PostFactory(author=other_user, title="Another")
    blog_services.reaction_set(post=post, user=other_user, value="like")
    blog_services.reaction_set(post=post, user=staff_user, value="dislike")
    comment = blog_services.comment_create(post=post, author=other_user, content="Hi <b>")
    blog_services.comment_update(comment=comment, user=other_user, content="Hi, edited")
    blog_services.post_update(post=post, user=user, title="Cards & <caches>, edited")
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    product = ProductFactory(seller=user, name="Teapot", price=Decimal("10.00"), stock=5)
    product.category = kitchen
    product.save()
    ProductFactory(seller=other_user, name="Kettle", stock=0)
    fund(other_user, "100.00")
    shop_services.product_buy(product=product.pk, buyer=other_user, quantity=2)
    # Days old, so that "3 days ago" reads the same in every render of the test.
    then = timezone.now() - timedelta(days=3, minutes=30)
    Post.objects.update(created=then, updated=then + timedelta(minutes=20))
    Comment.objects.update(created=then, edited=then + timedelta(minutes=10))
    post.refresh_from_db()
    return {"post": post, "product": product}


def pages(site) -> list[str]:
    return [
        "/",
        "/?ordering=liked",
        reverse("blog:author-posts", args=["alice"]),
        site["post"].get_absolute_url(),
        reverse("shop:product-list"),
        reverse("shop:profile-detail", args=["alice"]),
    ]


def test_cached_cards_give_the_same_html_as_fresh_ones(site):
    # One cache for every reader and language, as on a server: what one reader's request
    # put there must be right for the next reader, in the next language.
    from django.contrib.auth import get_user_model

    clients = {"anonymous": Client()}
    for username in ("alice", "bob", "moderator"):
        clients[username] = Client()
        clients[username].force_login(get_user_model().objects.get(username=username))
    compared = 0
    for _round in range(2):
        for language in ("en", "ru"):
            for client in clients.values():
                for url in pages(site):
                    for fragment in ({}, {"HX-Request": "true"}):
                        headers = {**fragment, "Accept-Language": language}
                        cached = html(client, url, **headers)
                        with override_settings(CACHES=NO_FRAGMENT_CACHE):
                            fresh = html(client, url, **headers)
                        assert cached == fresh, (url, language)
                        compared += 1
    assert compared == 2 * 2 * 4 * 6 * 2


def test_the_cache_is_used(site, user_client):
    html(user_client, "/")
    html(user_client, reverse("shop:product-list"))
    assert len(caches["template_fragments"]._cache) >= 4


def test_a_card_shows_each_users_own_reaction(site, user_client, other_client):
    # The counts are shared, the pressed button is the reader's.
    assert 'aria-pressed="true"' not in html(user_client, "/")
    assert html(other_client, "/").count('aria-pressed="true"') == 1


def test_an_edit_comment_and_reaction_show_on_the_next_request(site, user, other_user):
    client = Client()
    post = site["post"]
    url = reverse("blog:post-list")
    before = html(client, url)
    assert "1 comment<" in before and "Cards &amp; &lt;caches&gt;, edited" in before

    blog_services.post_update(post=post, user=user, title="Retitled")
    assert "Retitled" in html(client, url)
    assert "Retitled" in html(client, post.get_absolute_url())

    blog_services.comment_create(post=post, author=user, content="Second")
    assert "2 comments<" in html(client, url)
    assert "Second" in html(client, post.get_absolute_url())

    blog_services.reaction_set(post=post, user=user, value="like")
    page = html(client, url)
    likes = f'<span class="like-count" id="post-{post.pk}-likes" data-live="replace">2</span>'
    assert likes in page

    comment = post.comments.get(content="Second")
    blog_services.comment_update(comment=comment, user=user, content="Second, changed")
    assert "Second, changed" in html(client, post.get_absolute_url())


def test_a_sale_and_an_edit_show_on_the_next_request(site, user, other_user):
    client = Client()
    url = reverse("shop:product-list")
    page = html(client, url)
    assert "3 left" in page and "2 sold" in page
    shop_services.product_buy(product=site["product"].pk, buyer=other_user, quantity=3)
    page = html(client, url)
    assert "Sold out" in page and "5 sold" in page

    user.profile.display_name = "Alice the Seller"
    user.profile.save()
    assert "Alice the Seller" in html(client, url)


def test_the_navigation_shows_the_account_as_it_is_now(user, user_client):
    """The navigation is cached per language and account: a new name shows at once, and the
    per-request parts (badge, CSRF token, way back) are never the cached ones."""
    from django.contrib.auth import get_user_model

    page = html(user_client, "/shop/?q=tea")
    assert f'class="nav-profile">{user.username}</a>' in page
    assert 'name="next" value="/shop/?q=tea"' in page
    get_user_model().objects.filter(pk=user.pk).update(username="renamed")
    page = html(user_client, "/")
    assert 'class="nav-profile">renamed</a>' in page
    assert 'name="next" value="/"' in page
    logout_token = re.compile(r'id="logout-form" hidden><input[^>]+value="([^"]+)"')
    first, second = (logout_token.search(user_client.get("/").text).group(1) for _ in "12")
    assert first != second  # masked afresh for each response, never a cached one
    assert "Log in" in html(Client(), "/")
