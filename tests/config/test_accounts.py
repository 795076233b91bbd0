"""Sign up, log in, log out and passwords through allauth's real views."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def signup(client, **overrides):
    data = {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    } | overrides
    return client.post(reverse("account_signup"), data)


def test_sign_up_creates_the_user_and_logs_them_in(client):
    response = signup(client)
    assert response.status_code == 302
    assert User.objects.filter(username="newcomer").exists()
    home = client.get("/")
    assert home.context["user"].username == "newcomer"
    assert "newcomer" in home.text


def test_sign_up_with_a_taken_username_shows_the_form_again(client, user):
    response = signup(client, username=user.username, email="other@example.com")
    assert response.status_code == 200
    assert "A user with that username already exists." in response.text
    assert 'name="username"' in response.text
    assert User.objects.filter(username=user.username).count() == 1


def test_sign_up_with_mismatched_or_weak_password_shows_the_message(client):
    response = signup(client, password2="something-else-entirely")
    assert response.status_code == 200
    assert "You must type the same password each time." in response.text
    response = signup(client, password1="123", password2="123")
    assert response.status_code == 200
    assert "This password is too short." in response.text
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.parametrize("login_field", ["username", "email"])
def test_log_in_with_username_or_email(client, user, password, login_field):
    response = client.post(
        reverse("account_login"), {"login": getattr(user, login_field), "password": password}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == user


def test_a_wrong_password_shows_the_form_with_the_message(client, user):
    response = client.post(reverse("account_login"), {"login": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "The username and/or password you specified are not correct." in response.text
    assert not client.get("/").context["user"].is_authenticated


def test_repeated_failed_logins_are_rate_limited(client, user):
    for _ in range(10):
        client.post(reverse("account_login"), {"login": user.username, "password": "nope"})
    response = client.post(reverse("account_login"), {"login": user.username, "password": "x"})
    assert "Too many failed login attempts" in response.text


def test_log_out_ends_the_session(user_client):
    response = user_client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not user_client.get("/").context["user"].is_authenticated


def test_password_change(user_client, user, password):
    response = user_client.post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "brand-new-passphrase",
            "password2": "brand-new-passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-passphrase")


def test_password_reset_sends_a_working_link(client, user):
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    action = form_page.request["PATH_INFO"]
    response = client.post(
        action, {"password1": "reset-passphrase-42", "password2": "reset-passphrase-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("reset-passphrase-42")


def test_createsuperuser_makes_a_superuser_without_prompts(db):
    from django.core.management import call_command

    call_command("createsuperuser", username="root", email="root@example.com", interactive=False)
    assert User.objects.get(username="root").is_superuser


def test_account_pages_use_the_site_layout(client):
    page = client.get(reverse("account_login")).text
    assert 'class="site-header"' in page
    assert 'class="brand"' in page


def test_factory_users_can_log_in(client, password):
    someone = UserFactory()
    assert client.login(username=someone.username, password=password)
