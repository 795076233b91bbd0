"""The API's own messages (pydantic's validation, 405, 413) in the request's language."""

import pytest

from tests.apiclient import JSON, assert_error

pytestmark = pytest.mark.django_db

RU = {"Accept-Language": "ru"}


def is_russian(message: str) -> bool:
    return any("\u0400" <= character <= "\u04ff" for character in message)


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/posts/", {"title": "x" * 201, "content": "y"}, "title"),
        ("/api/posts/", {"content": "y"}, "title"),
        ("/api/posts/", {"title": "x", "content": "y", "likes": 1}, "likes"),
        ("/api/posts/", {"title": 5, "content": "y"}, "title"),
        ("/api/products/", {"name": "x", "price": "0"}, "price"),
        ("/api/products/", {"name": "x", "price": "-1.00"}, "price"),
        ("/api/products/", {"name": "x", "price": "1.00", "stock": -1}, "stock"),
        ("/api/products/", {"name": "x", "price": "1.00", "stock": 10**12}, "stock"),
        ("/api/products/", {"name": "x", "price": "1.00", "stock": "a"}, "stock"),
        ("/api/products/", {"name": "x", "price": "abc"}, "price"),
        ("/api/products/", {"name": "x", "price": "1.001"}, "price"),
        ("/api/products/", {"name": "x", "price": "1.00", "is_active": "maybe"}, "is_active"),
        ("/api/products/1/buy/", {"quantity": 0}, "quantity"),
        ("/api/products/1/buy/", {"quantity": "2"}, "quantity"),
        ("/api/products/1/buy/", {"quantity": 1.5}, "quantity"),
        ("/api/posts/", [], "__all__"),
    ],
)
def test_validation_messages_are_in_the_request_language(user_client, url, body, field):
    response = user_client.post(url, body, content_type=JSON, headers=RU)
    error = assert_error(response, 422, "invalid")
    assert error["fields"][field]
    assert all(is_russian(message) for message in error["fields"][field]), error
    assert is_russian(error["message"])


@pytest.mark.parametrize(
    "url", ["/api/posts/?q=" + "x" * 201, "/api/posts/?limit=0", "/api/products/?in_stock=maybe"]
)
def test_query_messages_are_in_the_request_language(client, url):
    error = assert_error(client.get(url, headers=RU), 422, "invalid")
    messages = [message for field in error["fields"].values() for message in field]
    assert messages
    assert all(is_russian(message) for message in messages), error


@pytest.mark.parametrize(
    ("body", "field", "english", "russian"),
    [
        (
            {"name": "x" * 201, "price": "1.00"},
            "name",
            "Ensure this value has at most 200 characters.",
            "Убедитесь, что это значение содержит не более 200 символов.",
        ),
        (
            {"name": "x", "price": "0"},
            "price",
            "Ensure this value is greater than 0.",
            "Убедитесь, что это значение больше 0.",
        ),
        (
            {"name": "x", "price": "1.00", "is_active": "maybe"},
            "is_active",
            "Enter true or false.",
            "Введите true или false.",
        ),
    ],
)
def test_the_messages_in_english_and_russian(user_client, body, field, english, russian):
    for headers, message in (({}, english), (RU, russian)):
        response = user_client.post("/api/products/", body, content_type=JSON, headers=headers)
        assert assert_error(response, 422, "invalid")["fields"] == {field: [message]}


def test_framework_answers_are_in_the_request_language(user_client):
    error = assert_error(user_client.delete("/api/posts/", headers=RU), 405, "method_not_allowed")
    assert error["message"] == "Этот путь не принимает метод DELETE."
    body = '{"title": "x", "content": "%s"}' % ("y" * 3 * 1024 * 1024)
    response = user_client.post("/api/posts/", body, content_type=JSON, headers=RU)
    assert is_russian(assert_error(response, 413, "too_large")["message"])
