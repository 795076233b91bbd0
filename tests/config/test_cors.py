"""Cross-origin use of the API: only from the origins in CORS_ALLOWED_ORIGINS, only under /api/."""

import pytest

from tests.config.test_security import manage, production_env

pytestmark = pytest.mark.django_db

APP = "https://app.example.com"


@pytest.fixture(autouse=True)
def _allowed_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]


def preflight(client, path, origin, method="POST", headers="content-type, x-session-token"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


@pytest.mark.parametrize("path", ["/api/posts/", "/_allauth/app/v1/auth/login"])
def test_a_preflight_from_an_allowed_origin_is_granted(client, path):
    response = preflight(client, path, APP)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    assert "POST" in response["Access-Control-Allow-Methods"]
    allowed_headers = response["Access-Control-Allow-Headers"]
    assert "x-session-token" in allowed_headers
    assert "content-type" in allowed_headers
    # The token rides in a header: cookies are never offered to another origin.
    assert "Access-Control-Allow-Credentials" not in response


def test_a_simple_request_from_an_allowed_origin_is_readable(client):
    response = client.get("/api/posts/", headers={"Origin": APP})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP


@pytest.mark.parametrize("origin", ["https://evil.example.com", "http://app.example.com"])
def test_a_preflight_from_another_origin_gets_no_grant(client, origin):
    response = preflight(client, "/api/posts/", origin)
    assert "Access-Control-Allow-Origin" not in response
    response = client.get("/api/posts/", headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/_allauth/browser/v1/auth/session"])
def test_pages_and_the_cookie_client_stay_same_origin(client, path):
    response = preflight(client, path, APP)
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in client.get(path, headers={"Origin": APP})


def test_no_origin_is_allowed_by_default():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CORS_ALLOWED_ORIGINS)",
        "-v",
        "0",
        env=production_env(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"{APP}, http://localhost:5173/", [APP, "http://localhost:5173"]),
        (" ", []),
    ],
)
def test_the_origins_come_comma_separated_from_the_environment(value, expected):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CORS_ALLOWED_ORIGINS)",
        "-v",
        "0",
        env=production_env(CORS_ALLOWED_ORIGINS=value),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(expected)


@pytest.mark.parametrize("value", ["app.example.com", "https://app.example.com/path", "*"])
def test_a_malformed_origin_gives_one_line_naming_the_variable(value):
    result = manage("check", env=production_env(CORS_ALLOWED_ORIGINS=value))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Agora: configuration error: CORS_ALLOWED_ORIGINS")
