"""Amounts of money in the API: what is accepted is said in the schema and in the refusal."""

from decimal import Decimal

import pytest

from shop.models import Product
from tests.apiclient import JSON, assert_error

pytestmark = pytest.mark.django_db

PRODUCT = {"name": "Kettle", "stock": 3}
ACCEPTED = 'a string or a number with at most two decimals, e.g. "12.50"'


def create(client, price, **headers):
    body = {**PRODUCT, "price": price}
    return client.post("/api/products/", body, content_type=JSON, headers=headers)


@pytest.mark.parametrize("price", [0.1 + 0.2, "0.30000000000000004", "1.234", 1.005])
def test_too_many_decimals_are_refused_saying_what_is_accepted(user_client, price):
    error = assert_error(create(user_client, price), 422, "invalid")
    message = error["fields"]["price"][0]
    assert message.startswith("Ensure that there are no more than 2 decimal places."), message
    assert ACCEPTED in message
    assert "digits in total" not in message
    assert error["message"] == message
    assert not Product.objects.exists()


@pytest.mark.parametrize("price", ["12345678901234", 1e308, "12345678901.5"])
def test_too_large_an_amount_says_how_many_digits_before_the_point(user_client, price):
    error = assert_error(create(user_client, price), 422, "invalid")
    message = error["fields"]["price"][0]
    assert message.startswith(
        "Ensure that there are no more than 10 digits before the decimal point."
    ), message
    assert ACCEPTED in message


@pytest.mark.parametrize("price", ["12.50", 12.5, 12, "0.01"])
def test_strings_and_numbers_with_two_decimals_are_accepted(user_client, price):
    response = create(user_client, price)
    assert response.status_code == 201, response.content
    assert Product.objects.get().price == Decimal(str(price))


def test_the_other_price_checks_keep_their_messages(user_client):
    error = assert_error(create(user_client, "0"), 422, "invalid")
    assert error["fields"]["price"] == ["Ensure this value is greater than 0."]
    error = assert_error(create(user_client, "abc"), 422, "invalid")
    assert error["fields"]["price"] == ["Enter a number."]


def test_the_query_filters_explain_too(client):
    error = assert_error(client.get("/api/products/?min_price=0.001"), 422, "invalid")
    assert ACCEPTED in error["fields"]["min_price"][0]


def test_the_russian_message_names_the_limit_in_russian(user_client):
    error = assert_error(create(user_client, 0.1 + 0.2, **{"Accept-Language": "ru"}), 422)
    assert error["fields"]["price"][0].startswith("Убедитесь, что после запятой не более 2 цифр.")


def test_the_openapi_schema_says_what_an_amount_may_be(client):
    schema = client.get("/api/openapi.json").json()
    for name in ("ProductIn", "ProductReplaceIn", "ProductPatchIn"):
        price = schema["components"]["schemas"][name]["properties"]["price"]
        assert "at most 2 decimals" in price["description"], (name, price)
        assert '"12.50"' in price["description"]
        assert price["examples"] == ["12.50"]
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/products/"]["get"]["parameters"]
    }
    assert "at most 2 decimals" in parameters["min_price"]["description"]
