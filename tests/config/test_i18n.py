"""English and Russian: from the browser's Accept-Language, or the switcher in the navigation."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NAV_RU = ["Блог", "Магазин", "Уведомления", "Войти"]


def test_accept_language_ru_gives_russian_navigation(client):
    page = client.get("/", headers={"Accept-Language": "ru"})
    assert page.status_code == 200
    assert '<html lang="ru">' in page.text
    for word in NAV_RU:
        assert word in page.text
    assert page["Content-Language"] == "ru"


def test_english_is_the_default(client):
    page = client.get("/")
    assert '<html lang="en">' in page.text
    assert ">Blog<" in page.text and "Блог" not in page.text


def test_the_switcher_changes_the_language_and_keeps_the_page(client):
    page = client.get("/shop/")
    assert 'name="language" value="ru"' in page.text
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/shop/"})
    assert response.status_code == 302
    assert response["Location"] == "/shop/"
    russian = client.get("/shop/")
    assert '<html lang="ru">' in russian.text
    assert "Магазин" in russian.text
    assert 'name="language" value="en"' in russian.text  # and back


@pytest.mark.parametrize("path", ["/", "/shop/", "/notifications/", "/accounts/password/change/"])
def test_signed_in_pages_render_in_russian(user_client, path):
    page = user_client.get(path, headers={"Accept-Language": "ru"})
    assert page.status_code == 200
    assert "Выйти" in page.text


def test_account_pages_are_translated(client):
    page = client.get(reverse("account_login"), headers={"Accept-Language": "ru"})
    assert "Войти" in page.text
    assert "Пароль" in page.text
