"""A real daphne process serves the site's main entry points."""

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.live import Server, daphne, gunicorn_argv

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


@pytest.fixture
def gunicorn_server(transactional_db, tmp_path) -> Iterator[Server]:
    """The WSGI layout's server (behind Pushpin in production), sharing the test database."""
    with daphne(tmp_path, argv=gunicorn_argv) as server:
        yield server


def send_slowly(port: int, head: str, body: bytes) -> bytes:
    """Send a request as a slow client does, in pieces; then read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n")
        for start in range(0, len(body), 100_000):
            sock.sendall(body[start : start + 100_000])  # a reset here: the answer is lost
            time.sleep(0.01)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize(
    ("path", "content_type", "status", "expected"),
    [
        # Refused before the body is read: not signed in, or too large.
        ("/api/posts/", "application/json", 401, b'"not_authenticated"'),
        ("/accounts/login/", "application/x-www-form-urlencoded", 413, b"too large"),
    ],
)
def test_gunicorn_takes_a_refused_body_whole_before_answering(
    gunicorn_server, path, content_type, status, expected
):
    """Django answers these from the headers, the body unread. Were the connection
    closed on the unread rest, the kernel would reset it under the client (and Pushpin in
    front would answer 502): the client gets to send it all, then reads Agora's answer."""
    body = b"x" * 2_700_000  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    )
    answer = send_slowly(gunicorn_server.port, head, body)
    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:200]
    assert expected in answer
