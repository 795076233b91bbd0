"""Live notifications between browsers: what one person does reaches the others' pages."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from blog import services as blog
from blog.models import Post
from notify.models import Notification
from tests.e2e.conftest import (
    assert_same_page,
    mark_page,
    screenshot,
    toasts,
    unread,
    wait_for_js,
    wait_htmx_idle,
    wait_streaming,
)
from tests.factories import UserFactory
from tests.live import Browser

LIVE_BUDGET_MS = 2000
HOSTILE_TITLE = '"><img src=x onerror=alert(1)>'


def publish_in_browser(page: Page, title: str, content: str) -> float:
    """Publish through the form; return the moment the publishing request came back."""
    page.goto("/posts/new/")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=content]", content)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/posts/new/")
    ) as publishing:
        page.get_by_role("button", name="Publish").click()
    assert publishing.value.status == 302
    return time.monotonic()


def left_of(budget_ms: int, since: float) -> float:
    return max(budget_ms - (time.monotonic() - since) * 1000, 1)


def test_a_new_post_and_a_comment_reach_the_right_browsers_live(live, page_for):
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    carol = UserFactory(username="carol")
    dave = UserFactory(username="dave")
    call_command("seed_demo", "--no-admin", stdout=StringIO())  # a living site around them
    bobs_post = blog.post_create(author=bob, title="Bob's garden", content="Tomatoes.")
    a, b, c = page_for(alice), page_for(bob), page_for(carol)
    for page in (b, c):
        page.goto("/")
    a.goto("/posts/new/")
    for page in (a, b, c):
        wait_streaming(page)
    b_unread, c_unread = unread(b), unread(c)
    mark_page(b)

    published = publish_in_browser(a, "Spring is here", "The first *tulips* are out.")

    banner = b.locator("#toasts .toast[data-kind=new_post]")
    expect(banner).to_have_text(
        "alice published “Spring is here” ×", timeout=left_of(LIVE_BUDGET_MS, published)
    )
    expect(b.locator("#unread-badge")).to_have_attribute(
        "data-count", str(b_unread + 1), timeout=left_of(LIVE_BUDGET_MS, published)
    )
    post = Post.objects.get(title="Spring is here")
    expect(banner.get_by_role("link")).to_have_attribute("href", post.get_absolute_url())
    expect(b.locator("#live-posts")).to_have_text("1 new post — show it")
    assert_same_page(b, live.url + "/")
    screenshot(b, "banner")

    # A comments on B's post: B is told, nobody else.
    a.goto(bobs_post.get_absolute_url())
    wait_streaming(a)
    a.fill("#comment-form textarea[name=content]", "Lovely tomatoes!")
    a.locator("#comment-form").get_by_role("button", name="Comment").click()
    expect(a.locator("#comment-list .comment-body")).to_have_text("Lovely tomatoes!")
    told = b.locator("#toasts .toast[data-kind=comment]")
    expect(told).to_have_text("alice commented on “Bob's garden” ×")
    expect(b.locator("#unread-badge")).to_have_attribute("data-count", str(b_unread + 2))

    # Then somebody else publishes: once that reached everybody, anything meant for them
    # before it would have arrived too.
    dave_http = Browser(live, dave)
    assert dave_http.post("/posts/new/", {"title": "Barrier", "content": "."}).status_code == 302
    dave_http.close()
    for page in (a, b, c):
        expect(page.locator("#toasts .toast", has_text="Barrier")).to_have_count(1)
    assert [t["kind"] for t in toasts(a)] == ["new_post"]
    assert [t["kind"] for t in toasts(b)] == ["new_post", "comment", "new_post"]
    assert [t["kind"] for t in toasts(c)] == ["new_post", "new_post"]
    expect(c.locator("#unread-badge")).to_have_attribute("data-count", str(c_unread + 2))
    assert_same_page(b, live.url + "/")


def test_a_hostile_title_is_text_in_the_list_the_page_the_banner_and_the_centre(live, page_for):
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    blog.post_create(author=bob, title="A quiet start", content=".")
    reader = page_for(bob)
    reader.goto("/")
    wait_streaming(reader)

    publish_in_browser(page_for(alice), HOSTILE_TITLE, "Nothing to see.")
    post = Post.objects.get(title=HOSTILE_TITLE)

    banner = reader.locator("#toasts .toast[data-kind=new_post]")
    expect(banner).to_have_text(f"alice published “{HOSTILE_TITLE}” ×")
    assert_no_injected_image(reader)

    reader.locator("#live-posts").get_by_role("link").click()
    expect(reader.locator("#post-list .post-title").first).to_have_text(HOSTILE_TITLE)
    assert_no_injected_image(reader)

    reader.locator("#post-list .post-title a").first.click()
    expect(reader.locator("h1.post-title")).to_have_text(HOSTILE_TITLE)
    assert reader.url == live.url + post.get_absolute_url()
    assert HOSTILE_TITLE in reader.title()
    assert_no_injected_image(reader)

    reader.locator("#nav-notifications").click()
    item = reader.locator("#notification-list li.notification").first
    expect(item.get_by_role("link")).to_have_text(f"alice published “{HOSTILE_TITLE}”")
    assert_no_injected_image(reader)
    assert page_for.watch.dialogs == []


def assert_no_injected_image(page: Page) -> None:
    assert page.locator("img").count() == 0


class StandIn(ThreadingHTTPServer):
    """What a reverse proxy says while the app behind it is down: 502 to everything."""

    allow_reuse_address = True

    def __init__(self, port: int) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = b"<h1>502 Bad Gateway</h1>"
                self.send_response(502)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()


def publish_over_http(server, user, title: str) -> None:
    http = Browser(server, user)
    try:
        assert http.post("/posts/new/", {"title": title, "content": "."}).status_code == 302
    finally:
        http.close()


# "refused": nothing listens while the server is down; the browser's EventSource retries by
# itself, sending Last-Event-ID. "bad-gateway": a proxy answers 502 meanwhile; the EventSource
# gives up (CLOSED) and htmx opens a new one through agora.js, which carries the last id in
# the URL.
@pytest.mark.parametrize("outage", ["refused", "bad-gateway"])
def test_the_stream_survives_a_server_restart_and_shows_each_notification_once(
    live, page_for, outage
):
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    page = page_for(bob)
    page.goto("/")
    wait_streaming(page)
    publish_over_http(live, alice, "Before")
    expect(page.locator("#toasts .toast", has_text="Before")).to_have_count(1)
    expect(page.locator("#unread-badge")).to_have_attribute("data-count", "1")
    wait_htmx_idle(page)  # what the notification set off is done before the server goes
    mark_page(page)
    opens = page.evaluate("window.__sseOpens")

    with page_for.stream_trouble():
        live.stop()
        if outage == "refused":
            # The stream broke, and a reconnection was refused at least once.
            wait_for_js(page, "window.__sseErrors.length >= 2", timeout=15)
        else:
            stand_in = StandIn(live.port)
            wait_for_js(page, "window.__sseErrors.includes(EventSource.CLOSED)", timeout=15)
        call_command("notify_announce", "Maintenance is over", "--url", "/shop/", stdout=StringIO())
        if outage == "bad-gateway":
            stand_in.stop()
        live.start()
        # Both reconnect with a growing delay: allow them some time.
        expect(page.locator("#toasts .toast[data-kind=announcement]")).to_have_text(
            "Maintenance is over ×", timeout=20_000
        )
    assert page_for.watch.tolerated, "the page did not notice the outage"
    assert page.evaluate("window.__sseOpens") == opens + 1

    publish_over_http(live, alice, "After")
    expect(page.locator("#toasts .toast", has_text="After")).to_have_count(1)
    expect(page.locator("#unread-badge")).to_have_attribute("data-count", "3")
    shown = toasts(page)
    announcement = Notification.objects.get(kind=Notification.Kind.ANNOUNCEMENT)
    assert [t["kind"] for t in shown] == ["new_post", "announcement", "new_post"], shown
    assert shown[1]["id"] == str(announcement.pk)
    assert len({t["id"] for t in shown}) == 3, shown
    assert_same_page(page, live.url + "/")


def test_the_new_posts_hint_shows_the_first_post_of_a_fresh_site(live, page_for):
    alice = UserFactory(username="alice")
    reader = page_for(UserFactory(username="bob"))
    reader.goto("/")
    wait_streaming(reader)
    publish_over_http(live, alice, "The very first post")
    expect(reader.locator("#toasts .toast", has_text="The very first post")).to_have_count(1)
    expect(reader.locator("#live-posts")).to_have_text("1 new post — show it", timeout=2000)
