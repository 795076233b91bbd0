"""A real daphne process serves the site's main entry points."""

import httpx
import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "Agora"),
        ("/accounts/login/", 'name="login"'),
        ("/api/docs", "swagger-ui"),
        ("/admin/", 'name="login"'),  # through the site's login (config/urls.py)
    ],
)
def test_daphne_serves_the_main_pages(daphne_server, path, expected):
    response = httpx.get(daphne_server.url + path, follow_redirects=True)
    assert response.status_code == 200
    assert expected in response.text


def test_admin_redirects_anonymous_to_its_login(daphne_server):
    response = httpx.get(daphne_server.url + "/admin/")
    assert response.status_code == 302
    assert response.headers["location"].startswith("/admin/login/")


def test_static_files_are_served_including_htmx_and_ninja_docs(daphne_server):
    page = httpx.get(daphne_server.url + "/").text
    assert "/static/django_htmx/htmx-2.min.js" in page
    assert "/static/django_htmx/ext/hx-sse-2.min.js" in page
    for path in (
        "/static/django_htmx/htmx-2.min.js",
        "/static/django_htmx/ext/hx-sse-2.min.js",
        "/static/css/agora.css",
        "/static/ninja/swagger-ui-bundle.js",
    ):
        assert httpx.get(daphne_server.url + path).status_code == 200, path


def test_server_stops_cleanly(daphne_server):
    daphne_server.stop()
    assert daphne_server.process.returncode is not None
    with pytest.raises(httpx.TransportError):
        httpx.get(daphne_server.url + "/", timeout=2)
