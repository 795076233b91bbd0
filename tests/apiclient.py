"""Helpers of the API tests: send JSON, check the one error shape, count a request's queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

JSON = "application/json"


def send(client, method: str, url: str, body=None):
    """`method` on `url` with `body` as JSON; no body at all when it is None."""
    if body is None:
        return client.generic(method.upper(), url)
    return getattr(client, method)(url, body, content_type=JSON)


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is the API's error shape with this status (and code); returns the error."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(JSON)
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def count_queries(client, url: str) -> int:
    """The queries of one successful GET."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)
