"""Production mode end to end: collectstatic, then daphne serving hashed static files."""

import re
import subprocess
import sys

import httpx
import pytest

from tests.config.test_security import production_env
from tests.live import BASE_DIR, Server, _spawn, _wait_ready, database_url, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def test_collectstatic_then_daphne_serves_hashed_static_files_in_production(tmp_path):
    env = production_env(
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=database_url(),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        PYTHONUNBUFFERED="1",
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()

    port = free_port()
    log = tmp_path / "daphne.log"
    server = Server(
        url=f"http://127.0.0.1:{port}", port=port, process=_spawn(port, env, log), log=log, env=env
    )
    try:
        _wait_ready(server)
        # As behind the TLS-terminating proxy (SECURE_PROXY_SSL_HEADER).
        page = httpx.get(server.url + "/", headers={"X-Forwarded-Proto": "https"})
        assert page.status_code == 200
        assert "Strict-Transport-Security" in page.headers
        css = re.search(r'href="(/static/css/agora\.[0-9a-f]{12}\.css)"', page.text)
        assert css, "the page links the hashed stylesheet"
        htmx = re.search(r'src="(/static/django_htmx/htmx-2\.min\.[0-9a-f]{12}\.js)"', page.text)
        assert htmx
        for path in (css.group(1), htmx.group(1)):
            response = httpx.get(server.url + path, headers={"Accept-Encoding": "gzip"})
            assert response.status_code == 200
            assert "immutable" in response.headers["Cache-Control"]
        assert "Traceback" not in log.read_text()
    finally:
        server.stop()
