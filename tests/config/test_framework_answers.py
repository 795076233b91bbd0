"""Answers Django and ninja make by themselves: too-large bodies, 404/405 under /api/, HEAD."""

import json

import pytest
from django.conf import settings
from django.test import Client

from tests.apiclient import JSON, assert_error
from tests.blog.factories import PostFactory
from tests.shop.factories import ProductFactory

pytestmark = pytest.mark.django_db

TOO_LARGE = "y" * (3 * 1024 * 1024)
MIDDLEWARE = "config.middleware.RequestTooLargeMiddleware"


@pytest.fixture
def too_large_middleware(settings):
    # Until config/settings.py lists it, just before CsrfViewMiddleware.
    if MIDDLEWARE not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware")
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:at], MIDDLEWARE, *settings.MIDDLEWARE[at:]]


# --- 413 ------------------------------------------------------------------------------


def test_an_oversized_api_body_is_a_413(user_client):
    body = json.dumps({"title": "x", "content": TOO_LARGE})
    response = user_client.post("/api/posts/", body, content_type=JSON)
    assert_error(response, 413, "too_large")


def test_an_oversized_api_form_body_is_a_413(user_client):
    assert_error(user_client.post("/api/posts/", {"content": TOO_LARGE}), 413, "too_large")


@pytest.mark.usefixtures("too_large_middleware")
@pytest.mark.parametrize("csrf_checks", [False, True])
def test_an_oversized_form_is_a_413_page(user, csrf_checks):
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(user)
    token = client.get("/posts/new/").cookies["csrftoken"].value
    response = client.post(
        "/posts/new/", {"title": "x", "content": TOO_LARGE, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "too large" in response.content.decode()


@pytest.mark.usefixtures("too_large_middleware")
def test_the_413_page_follows_the_request_language(user_client):
    response = user_client.post(
        "/posts/new/", {"content": TOO_LARGE}, headers={"Accept-Language": "ru"}
    )
    assert response.status_code == 413
    assert 'lang="ru"' in response.content.decode()
    assert "Слишком большой запрос" in response.content.decode()


def test_the_limit_is_the_one_django_applies():
    assert len(TOO_LARGE) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


# --- every answer under /api/ has the error shape -------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/posts/", {"GET", "POST"}),
        ("PUT", "/api/comments/1/", {"GET", "PATCH", "DELETE"}),
        ("PUT", "/api/products/1/buy/", {"POST"}),
    ],
)
def test_a_method_the_path_does_not_take_is_a_json_405(user_client, method, path, allow):
    response = user_client.generic(method, path)
    error = assert_error(response, 405, "method_not_allowed")
    assert method in error["message"]
    assert {m.strip() for m in response["Allow"].split(",")} == allow


def test_the_405_message_follows_the_request_language(client):
    response = client.delete("/api/posts/", headers={"Accept-Language": "ru"})
    assert_error(response, 405, "method_not_allowed")


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE"])
@pytest.mark.parametrize("path", ["/api/", "/api/nope/", "/api/posts", "/api/a/b/c"])
def test_unknown_api_paths_are_json_404s_for_every_method(client, method, path):
    response = client.generic(method, path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith(JSON)
    if method != "HEAD":
        assert_error(response, 404, "not_found")


def test_the_docs_are_still_served(client):
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200


# --- HEAD on pages --------------------------------------------------------------------


def test_every_page_answers_head(client, user_client, user):
    post = PostFactory(author=user)
    product = ProductFactory()
    pages = [
        (client, "/"),
        (client, "/shop/"),
        (client, post.get_absolute_url()),
        (client, product.get_absolute_url()),
        (client, f"/authors/{user.username}/"),
        (client, f"/shop/u/{user.username}/"),
        (user_client, "/notifications/"),
        (user_client, "/shop/purchases/"),
        (user_client, "/shop/sales/"),
        (client, "/accounts/login/"),
        # The form pages (GET shows the form, POST sends it) answer HEAD too.
        (user_client, "/posts/new/"),
        (user_client, f"/posts/{post.pk}/edit/"),
        (user_client, f"/posts/{post.pk}/delete/"),
        (user_client, "/shop/products/new/"),
        (user_client, "/shop/profile/"),
    ]
    for who, url in pages:
        get = who.get(url)
        head = who.head(url)
        assert head.status_code == get.status_code == 200, url
        assert head.content == b"", url
        assert head["Content-Type"] == get["Content-Type"], url
