"""The admin signs in through the site's login, so the login rate limits guard it too."""

import pytest
from allauth.account import app_settings as allauth_settings
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


def failures_allowed() -> int:
    """The smallest count among allauth's login-failure limits ("10/m/ip,5/300s/key")."""
    return min(
        int(rule.split("/")[0]) for rule in allauth_settings.RATE_LIMITS["login_failed"].split(",")
    )


def test_the_admin_login_sends_anonymous_visitors_to_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/blog/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2Fblog%2F"


def test_repeated_wrong_admin_passwords_are_refused_even_the_right_one_after(
    client, admin_user, password
):
    login_url = client.get("/admin/login/?next=/admin/")["Location"]
    for _ in range(failures_allowed()):
        response = client.post(login_url, {"login": "admin", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(login_url, {"login": "admin", "password": password})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.text
    assert not client.get("/").context["user"].is_authenticated
    assert client.get("/admin/").status_code == 302

    # Once the limit has passed (its window, here the cache), the admin signs in as documented.
    cache.clear()
    response = client.post(login_url, {"login": "admin", "password": password}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/"
    assert "Site administration" in response.text


def test_the_admin_login_posts_nothing_to_the_admin_form(client, admin_user, password):
    # The old form would have logged in without counting failures; now it only redirects.
    response = client.post("/admin/login/", {"username": "admin", "password": password})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not client.get("/").context["user"].is_authenticated


def test_a_signed_in_user_without_staff_rights_is_refused(user_client):
    assert user_client.get("/admin/login/").status_code == 403
