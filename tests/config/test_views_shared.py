"""The pieces every app's HTML views share (config/views.py), seen through each app."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from config.views import back_url, is_fragment
from tests.blog.factories import CommentFactory, PostFactory
from tests.notify.factories import make_notification
from tests.shop.factories import ProductFactory


def login_next(url: str) -> str:
    """Where a login redirect sends the user back to (asserting it is the login page)."""
    parts = urlsplit(url)
    assert parts.path == reverse("account_login")
    return parse_qs(parts.query)["next"][0]


def _blog_action(user):
    post = PostFactory(author=user)
    return reverse("blog:comment-update", kwargs={"pk": CommentFactory(post=post).pk}), (
        post.get_absolute_url()
    )


def _shop_action(user):
    product = ProductFactory(seller=user)
    return reverse("shop:product-delete", kwargs={"pk": product.pk}), (product.get_absolute_url())


def _notify_action(user):
    notification = make_notification(recipient=user)
    return reverse("notify:notification-read", kwargs={"pk": notification.pk}), (
        reverse("notify:notification-list")
    )


ACTIONS = pytest.mark.parametrize(
    "action", [_blog_action, _shop_action, _notify_action], ids=["blog", "shop", "notify"]
)


@ACTIONS
def test_an_htmx_action_without_a_session_moves_the_whole_page_to_the_login(client, user, action):
    url, page = action(user)
    response = client.post(
        url, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}
    )
    # htmx follows HX-Redirect only on a success; a 302 would swap the login page in.
    assert response.status_code in (200, 204)
    assert login_next(response["HX-Redirect"]) == page
    assert b"<form" not in response.content


@ACTIONS
def test_an_htmx_action_without_a_current_url_comes_back_to_the_action(client, user, action):
    url, _page = action(user)
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code in (200, 204)
    assert login_next(response["HX-Redirect"]) == url


@ACTIONS
def test_a_plain_action_without_a_session_redirects_to_the_login(client, user, action):
    url, _page = action(user)
    response = client.post(url)
    assert response.status_code == 302
    assert "HX-Redirect" not in response
    assert login_next(response["Location"]) == url


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/shop/", "/shop/"),
        ("/notifications/?unread=1", "/notifications/?unread=1"),
        ("https://evil.example/", "/default/"),
        ("//evil.example/", "/default/"),
        ("http://testserver.evil.example/", "/default/"),
        ("javascript:alert(1)", "/default/"),
        ("", "/default/"),
    ],
)
def test_back_url_keeps_our_own_pages_and_refuses_other_hosts(next_url, expected):
    request = RequestFactory().post("/somewhere/", {"next": next_url})
    assert back_url(request, "/default/") == expected


def test_a_plain_mark_read_does_not_go_back_to_another_host(user_client, user):
    notification = make_notification(recipient=user)
    response = user_client.post(
        reverse("notify:notification-read", kwargs={"pk": notification.pk}),
        {"next": "https://evil.example/notifications/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("notify:notification-list")


def _htmx_request(**headers):
    request = RequestFactory().get("/", headers=headers)
    request.htmx = HtmxDetails(request)
    return request


@pytest.mark.parametrize(
    ("headers", "target", "expected"),
    [
        ({}, None, False),
        ({"HX-Request": "true"}, None, True),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, None, False),
        ({"HX-Request": "true", "HX-Target": "notification-list"}, "notification-list", True),
        ({"HX-Request": "true", "HX-Target": "elsewhere"}, "notification-list", False),
    ],
)
def test_is_fragment(headers, target, expected):
    assert is_fragment(_htmx_request(**headers), target=target) is expected


def test_page_links_keep_the_filters_but_not_the_page():
    page = Paginator(range(50), 10).get_page(3)
    request = RequestFactory().get("/shop/", {"q": "lamp", "page": "3", "sort": "new"})
    request.user = AnonymousUser()
    html = render_to_string("pagination.html", {"page_obj": page}, request=request)
    assert 'href="/shop/?q=lamp&amp;page=2&amp;sort=new" rel="prev"' in html
    assert 'href="/shop/?q=lamp&amp;page=4&amp;sort=new" rel="next"' in html
    assert "hx-get" not in html  # only with a target to swap into
