"""The interface switched to Russian with the switcher in the navigation."""

from django.utils import translation
from playwright.sync_api import expect

from blog.models import Post
from notify.models import Notification
from tests.e2e.conftest import wait_streaming
from tests.factories import UserFactory
from tests.live import Browser


def test_the_interface_switched_to_russian(live, page_for):
    bob = UserFactory(username="bob")
    alice = UserFactory(username="alice")
    page = page_for(bob)
    page.goto("/shop/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    with page.expect_navigation():
        page.locator(".lang-switch button[lang=ru]").click()
    assert page.url == live.url + "/shop/"  # the switcher brings you back where you were
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    nav = page.locator(".nav-links")
    expect(nav.get_by_role("link", name="Блог")).to_be_visible()
    expect(nav.get_by_role("link", name="Магазин")).to_be_visible()
    expect(nav.get_by_role("link", name="Уведомления")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Магазин")
    expect(page.locator(".lang-switch button[lang=en]")).to_have_text("English")

    # It sticks: the next page is in Russian too, and so is a banner that arrives there.
    nav.get_by_role("link", name="Блог").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_text("Блог")
    wait_streaming(page)
    http = Browser(live, alice)
    assert http.post("/posts/new/", {"title": "Весна", "content": "."}).status_code == 302
    http.close()
    notification = Notification.objects.get(url=Post.objects.get(title="Весна").get_absolute_url())
    with translation.override("ru"):
        russian = notification.message
    with translation.override("en"):
        assert russian != notification.message, "the banner's text has no Russian translation"
    expect(page.locator("#toasts .toast")).to_have_text(f"{russian} ×")
