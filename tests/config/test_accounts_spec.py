"""allauth's headless API serves its own OpenAPI description beside /api/'s."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_accounts_api_specification_is_served_as_json(client):
    response = client.get("/_allauth/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    # Both clients (HEADLESS_CLIENTS) share each path: {client} is "app" or "browser".
    assert "post" in spec["paths"]["/_allauth/{client}/v1/auth/login"]


def test_the_accounts_api_specification_is_served_as_yaml(client):
    response = client.get("/_allauth/openapi.yaml")
    assert response.status_code == 200
    assert "/_allauth/{client}/v1/auth/login:" in response.text


def test_no_html_page_that_would_load_a_cdn_script(client):
    # allauth's page loads Redoc from a CDN, which the Content-Security-Policy forbids.
    assert client.get("/_allauth/openapi.html").status_code == 404
