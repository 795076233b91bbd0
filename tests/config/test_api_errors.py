"""The API as a whole: one error shape, authentication (session with CSRF, allauth token), docs."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from blog.models import Post
from shop.models import Product, Purchase
from tests.apiclient import JSON, assert_error
from tests.blog.factories import PostFactory
from tests.shop.factories import ProductFactory, fund

pytestmark = pytest.mark.django_db

NEW_POST = {"title": "Hello", "content": "World"}


def token_for(client: Client, username: str, password: str) -> str:
    """Log in as allauth's headless app client does, and return the session token."""
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"username": username, "password": password},
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


# --- one error shape -----------------------------------------------------------------


def test_every_error_status_has_the_one_shape(client, user_client, other_client, user, other_user):
    post = PostFactory(author=user)
    product = ProductFactory(seller=user)
    fund(other_user, "1.00")
    assert_error(client.post("/api/posts/", NEW_POST, content_type=JSON), 401, "not_authenticated")
    assert_error(
        other_client.patch(f"/api/posts/{post.pk}/", {"title": "x"}, content_type=JSON),
        403,
        "permission_denied",
    )
    assert_error(client.get("/api/posts/0/"), 404, "not_found")
    assert_error(
        user_client.generic("POST", f"/api/products/{product.pk}/buy/"), 409, "own_product"
    )
    assert_error(
        other_client.generic("POST", f"/api/products/{product.pk}/buy/"), 409, "insufficient_funds"
    )
    error = assert_error(user_client.post("/api/posts/", {}, content_type=JSON), 422, "invalid")
    assert error["fields"] == {
        "title": ["This field is required."],
        "content": ["This field is required."],
    }
    assert_error(
        user_client.post("/api/posts/", "{not json", content_type=JSON), 400, "bad_request"
    )


def test_unknown_api_paths_are_json_404s(client):
    for path in ("/api/nope/", "/api/posts/-1/", "/api/posts", "/api/posts/1/nope/"):
        assert_error(client.get(path), 404, "not_found")
    assert assert_error(client.get("/api/posts/abc/"), 422, "invalid")["fields"] == {
        "id": ["Enter a whole number."]
    }


def test_messages_follow_the_request_language(user_client):
    response = user_client.post(
        "/api/posts/", {"title": "x"}, content_type=JSON, headers={"Accept-Language": "ru"}
    )
    error = assert_error(response, 422, "invalid")
    assert error["fields"]["content"] == ["Обязательное поле."]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/posts/", {"title": "x", "content": "y", "likes": 100}),
        ("post", "/api/posts/", {"title": ["x"], "content": "y"}),
        ("post", "/api/posts/", {"title": "x\x00", "content": "y"}),
        ("post", "/api/posts/", ["title", "content"]),
        ("post", "/api/posts/", "null"),
        ("post", "/api/products/", {"name": "x", "price": "1e400", "stock": 1}),
        ("post", "/api/products/", {"name": "x", "price": "1.00", "stock": 2**63}),
        ("post", "/api/products/", {"name": "x", "price": 1e308, "stock": 1}),
        ("post", "/api/products/", {"name": "x", "price": "1.00", "stock": -1}),
        ("post", "/api/products/1/buy/", {"quantity": 2**70}),
        ("post", "/api/products/1/buy/", {"quantity": -5}),
        ("post", f"/api/posts/{2**63}/like/", None),
        ("post", f"/api/posts/{2**80}/comments/", {"content": "x"}),
        ("patch", "/api/comments/99999999999999999999/", {"content": "x"}),
        ("get", "/api/posts/?q=%00&author=%00", None),
        ("get", "/api/products/?min_price=1e999", None),
        ("get", f"/api/posts/?offset={2**64}", None),
        ("get", "/api/profiles/%00/", None),
        ("post", f"/api/notifications/{2**70}/read/", None),
    ],
)
def test_bad_input_is_a_4xx_with_the_error_body_and_changes_nothing(
    other_client, other_user, method, url, body
):
    fund(other_user, "100.00")
    ProductFactory(pk=1, stock=3)

    def state() -> tuple:
        return (
            list(Post.objects.values_list("pk", "title")),
            list(Product.objects.values_list("pk", "stock", "price")),
            Purchase.objects.count(),
        )

    before = state()
    if body is None:
        response = getattr(other_client, method)(url)
    else:
        response = getattr(other_client, method)(url, body, content_type=JSON)
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert state() == before


# --- session authentication keeps CSRF -----------------------------------------------


def test_session_writes_need_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    refused = client.post("/api/posts/", NEW_POST, content_type=JSON)
    assert_error(refused, 403, "csrf_failed")
    assert not Post.objects.exists()

    client.get("/api/docs")  # any page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/posts/", NEW_POST, content_type=JSON, headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201
    assert Post.objects.get().author == user


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", "/api/posts/{post}/"),
        ("patch", "/api/posts/{post}/"),
        ("delete", "/api/posts/{post}/"),
        ("post", "/api/posts/{post}/like/"),
        ("post", "/api/products/{product}/buy/"),
        ("patch", "/api/profiles/me/"),
        ("post", "/api/notifications/read-all/"),
    ],
)
def test_every_unsafe_method_checks_csrf_for_a_session(user, other_user, method, url):
    post = PostFactory(author=other_user, title="Untouched")
    product = ProductFactory(seller=other_user, stock=3)
    fund(user, "100.00")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = url.format(post=post.pk, product=product.pk)
    response = getattr(client, method)(url, {}, content_type=JSON)
    assert_error(response, 403, "csrf_failed")
    post.refresh_from_db()
    product.refresh_from_db()
    assert (post.title, product.stock, Purchase.objects.count()) == ("Untouched", 3, 0)


def test_session_reads_need_no_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/profiles/me/").status_code == 200


# --- token authentication (allauth headless, app client) -----------------------------


def test_the_token_flow_works_without_cookies(user, other_user, password):
    client = Client(enforce_csrf_checks=True)
    token = token_for(client, "alice", password)
    assert not client.cookies  # the app client gets no session cookie
    headers = {"X-Session-Token": token}

    created = client.post("/api/posts/", NEW_POST, content_type=JSON, headers=headers)
    assert created.status_code == 201, created.content
    post_id = created.json()["id"]
    assert Post.objects.get(pk=post_id).author == user

    liked = client.post(f"/api/posts/{post_id}/like/", headers=headers)
    assert liked.json() == {"like_count": 1, "dislike_count": 0, "my_reaction": "like"}
    # Reads know the token's user too.
    mine = client.get(f"/api/posts/{post_id}/", headers=headers).json()
    assert mine["my_reaction"] == "like"
    assert client.get(f"/api/posts/{post_id}/").json()["my_reaction"] is None

    product = ProductFactory(seller=other_user, price="4.00")
    fund(user, "10.00")
    bought = client.post(
        f"/api/products/{product.pk}/buy/", {"quantity": 2}, content_type=JSON, headers=headers
    )
    assert bought.status_code == 201
    assert bought.json()["balance"] == "2.00"
    assert not client.cookies


def test_logging_out_ends_the_token(user, password):
    client = Client()
    token = token_for(client, "alice", password)
    headers = {"X-Session-Token": token}
    assert client.get("/api/profiles/me/", headers=headers).status_code == 200
    client.delete("/_allauth/app/v1/auth/session", headers=headers)
    assert_error(client.get("/api/profiles/me/", headers=headers), 401, "invalid_token")


def test_an_expired_token_is_401_on_reads_and_writes(user, password):
    client = Client()
    token = token_for(client, "alice", password)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    headers = {"X-Session-Token": token}
    assert_error(client.get("/api/posts/", headers=headers), 401, "invalid_token")
    write = client.post("/api/posts/", NEW_POST, content_type=JSON, headers=headers)
    assert_error(write, 401, "invalid_token")
    assert not Post.objects.exists()


@pytest.mark.parametrize("token", ["made-up", "x" * 40, "0" * 2000])
def test_an_invalid_token_is_401_even_with_a_valid_session(user_client, token):
    # A client that sends a token means it: a bad one is not rescued by a cookie.
    headers = {"X-Session-Token": token}
    response = user_client.post("/api/posts/", NEW_POST, content_type=JSON, headers=headers)
    assert_error(response, 401, "invalid_token")
    assert not Post.objects.exists()


def test_no_credentials_on_a_write_is_401(client):
    assert_error(client.post("/api/posts/", NEW_POST, content_type=JSON), 401, "not_authenticated")


# --- the documentation ---------------------------------------------------------------


def test_the_schema_declares_both_schemes_and_open_reads(client):
    schema = client.get("/api/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["SessionTokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Session-Token",
        "description": schemes["SessionTokenAuth"]["description"],
    }
    assert schemes["SessionAuth"]["in"] == "cookie"
    assert schemes["SessionAuth"]["name"] == "sessionid"
    paths = schema["paths"]
    both = [{"SessionTokenAuth": []}, {"SessionAuth": []}]
    assert paths["/api/posts/"]["post"]["security"] == both
    assert paths["/api/posts/"]["get"]["security"] == [*both, {}]
    assert paths["/api/products/{id}/buy/"]["post"]["security"] == both
    error_schema = schema["components"]["schemas"]["ErrorOut"]
    assert error_schema["required"] == ["error"]


def test_the_main_paths_are_in_the_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/posts/"])
    assert "post" in paths["/api/posts/{id}/like/"]
    assert "post" in paths["/api/posts/{id}/unlike/"]
    assert "get" in paths["/api/products/"]
    assert "post" in paths["/api/products/{id}/buy/"]


def test_the_docs_page_renders_with_the_csrf_token_for_try_it_out(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert 'data-api-csrf="true"' in html
    assert 'data-csrf-token=""' not in html
