"""The browser's own EventSource, with none of the site's script: the stream alone resumes it."""

import json
import time
from io import StringIO

from django.core.management import call_command
from playwright.sync_api import Page

from tests.e2e.conftest import STREAM
from tests.factories import UserFactory
from tests.live import Browser

BLANK = (
    "<!doctype html><html lang=en><title>EventSource</title><link rel=icon href='data:,'>"
    "<main><h1>EventSource</h1></main>"
)

# Every event the EventSource dispatches, in order; "error" is the EventSource's own (the
# connection broke or was refused) with its state: 0 it retries by itself, 2 it gave up.
RECORD = """
(url) => {
  window.seen = [];
  const source = new EventSource(url);
  const types = ["stream-open", "notification", "stream-reset", "stream-error", "message"];
  for (const type of types) {
    source.addEventListener(type, (e) => {
      window.seen.push({type: e.type, data: e.data, id: e.lastEventId});
    });
  }
  source.addEventListener("error", () => {
    window.seen.push({type: "error", state: source.readyState});
  });
}
"""


def seen_until(page: Page, enough, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        seen = page.evaluate("window.seen")
        if enough(seen):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s; the EventSource saw {seen}")
        time.sleep(0.05)


def titles(seen: list[dict]) -> list[str]:
    return [json.loads(e["data"])["title"] for e in seen if e["type"] == "notification"]


def opens(seen: list[dict]) -> list[dict]:
    return [e for e in seen if e["type"] == "stream-open"]


def publish(server, user, title: str) -> None:
    http = Browser(server, user)
    try:
        assert http.post("/posts/new/", {"title": title, "content": "."}).status_code == 302
    finally:
        http.close()


def test_a_native_eventsource_resumes_from_the_stream_open_id_after_a_restart(live, page_for):
    alice = UserFactory(username="alice")
    publish(live, alice, "Before the page")
    page = page_for(name="eventsource")
    # A blank document of the site's origin: none of the site's scripts, no favicon to fetch.
    blank = live.url + "/eventsource-test/"
    page.route(blank, lambda route: route.fulfill(body=BLANK, content_type="text/html"))
    page.goto(blank)
    page.evaluate(RECORD, STREAM)
    seen_until(page, lambda seen: opens(seen), timeout=10)

    with page_for.stream_trouble():
        live.stop()
        seen_until(page, lambda seen: seen[-1]["type"] == "error", timeout=10)
        call_command("notify_announce", "Maintenance is over", stdout=StringIO())
        live.start()
        # chromium retries about every 3 seconds.
        seen_until(page, lambda seen: "Maintenance is over" in titles(seen), timeout=15)

    publish(live, alice, "After the restart")
    seen = seen_until(page, lambda seen: "After the restart" in titles(seen), timeout=5)
    assert titles(seen) == ["Maintenance is over", "After the restart"], seen
    assert len(opens(seen)) == 2, seen
    assert [e for e in seen if e["type"] == "error" and e["state"] != 0] == [], seen
