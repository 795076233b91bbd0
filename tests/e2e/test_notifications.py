"""The notification centre: the unread badge, opening it, marking one and all as read."""

from playwright.sync_api import expect

from blog import services as blog
from notify.models import Notification
from tests.e2e.conftest import assert_same_page, mark_page, screenshot, wait_streaming
from tests.factories import UserFactory
from tests.live import Browser


def test_the_badge_the_centre_marking_one_and_all_read(live, page_for):
    bob, carol, dave = (UserFactory(username=name) for name in ("bob", "carol", "dave"))
    alice = UserFactory(username="alice")
    post = blog.post_create(author=bob, title="Bob's garden", content="Tomatoes.")
    blog.comment_create(post=post, author=carol, content="Nice!")
    blog.reaction_set(post=post, user=dave, value="like")
    blog.post_create(author=carol, title="Carol's kitchen", content="Bread.")
    page = page_for(bob)

    page.goto("/")
    badge = page.locator("#unread-badge")
    shown = badge.locator(".badge-count")  # the visible number; the rest is for screen readers
    expect(shown).to_have_text("3")
    # The count is read out as part of the link's name, not as a bare span's aria-label.
    expect(page.locator("#nav-notifications")).to_have_accessible_name("Notifications 3 unread")
    page.locator("#nav-notifications").click()
    assert page.url == live.url + "/notifications/"
    items = page.locator("#notification-list li.notification")
    expect(items).to_have_count(3)
    expect(page.locator("#notification-list li.notification.unread")).to_have_count(3)
    expect(items.nth(0)).to_contain_text("carol published “Carol's kitchen”")
    expect(items.nth(1)).to_contain_text("dave liked “Bob's garden”")
    expect(items.nth(2)).to_contain_text("carol commented on “Bob's garden”")
    wait_streaming(page)
    url = page.url
    mark_page(page)

    # Something happens meanwhile: the banner and the badge say so on this page too.
    alice_http = Browser(live, alice)
    response = alice_http.post(f"/posts/{post.pk}/comments/", {"content": "Me too!"})
    alice_http.close()
    assert response.status_code == 302
    expect(page.locator("#toasts .toast[data-kind=comment]")).to_have_text(
        "alice commented on “Bob's garden” ×"
    )
    expect(shown).to_have_text("4")
    expect(page.locator("#nav-notifications")).to_have_accessible_name("Notifications 4 unread")
    # The list follows too (notify.live): the new one on top, unread.
    expect(items).to_have_count(4)
    expect(items.nth(0)).to_contain_text("alice commented on “Bob's garden”")
    expect(items.nth(0)).to_have_class("notification unread")
    screenshot(page, "notifications")

    reaction = Notification.objects.get(kind=Notification.Kind.REACTION)
    item = page.locator(f"#notification-{reaction.pk}")
    item.get_by_role("button", name="Mark read").click()
    expect(item).not_to_have_class("notification unread")
    expect(item.get_by_role("button", name="Mark read")).to_have_count(0)
    expect(shown).to_have_text("3")
    expect(page.locator("#notification-list li.notification.unread")).to_have_count(3)
    assert_same_page(page, url)

    page.get_by_role("button", name="Mark all read").click()
    expect(items).to_have_count(4)
    expect(page.locator("#notification-list li.notification.unread")).to_have_count(0)
    expect(items.get_by_role("button", name="Mark read")).to_have_count(0)
    expect(badge).to_have_attribute("data-count", "0")
    expect(badge).to_have_text("")
    assert_same_page(page, url)

    page.reload()
    expect(page.locator("#notification-list li.notification")).to_have_count(4)
    expect(page.locator("#notification-list li.notification.unread")).to_have_count(0)
    expect(page.locator("#unread-badge")).to_have_attribute("data-count", "0")
    page.get_by_label("Unread only").check()
    expect(page.locator("#notification-list")).to_have_text("No unread notifications.")
