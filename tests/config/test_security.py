"""Security headers, CSP nonces, CSRF and production checks."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.live import BASE_DIR

pytestmark = pytest.mark.django_db

HTML_PAGES = ["/", "/shop/", "/accounts/login/", "/accounts/signup/"]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_html_page_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp


def test_csp_nonce_is_fresh_per_response_and_on_every_script(client):
    first = client.get("/")
    second = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", first["Content-Security-Policy"]).group(1)
    other = re.search(r"'nonce-([^']+)'", second["Content-Security-Policy"]).group(1)
    assert nonce != other
    scripts = re.findall(r"<script\b[^>]*>", first.text)
    assert scripts, "the base page loads htmx"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag


def test_no_inline_style_or_handler_in_the_base_page(client):
    page = client.get("/").text
    assert " style=" not in page
    assert not re.search(r"\son[a-z]+=", page)
    assert "<style" not in page


def test_htmx_requests_carry_the_csrf_token(client):
    page = client.get("/").text
    token = client.cookies["csrftoken"].value
    assert token
    match = re.search(r"""<body hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", page)
    assert match


def test_unsafe_request_without_csrf_token_is_refused(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "x", "password": "y"})
    assert response.status_code == 403


def production_env(**extra):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "ENV_FILE": "/nonexistent/.env",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "agora.example.com",
        "EMAIL_URL": "smtp://agora:secret@mail.example.com:587",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
