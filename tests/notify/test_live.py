"""Live pages' channels (notify.live) against a real daphne, Redis and Pushpin."""

import contextlib
import json
import time

import pytest

from blog.models import Post
from shop.models import Product
from tests.factories import UserFactory
from tests.live import Browser, daphne, free_port, session_cookies
from tests.services import pushpin, redis_server
from tests.shop.factories import fund
from tests.sse import SSEClient

pytestmark = pytest.mark.django_db(transaction=True)

STREAM = "/notifications/stream/"


def live_events(client: SSEClient, channel: str) -> list[dict]:
    return [e.json for e in client.of_type("live") if e.json["channel"] == channel]


def wait_live(client: SSEClient, channel: str, text: str, timeout: float = 10) -> dict:
    client.wait_for(
        lambda _events: any(text in e["html"]["en"] for e in live_events(client, channel)),
        timeout,
    )
    return next(e for e in live_events(client, channel) if text in e["html"]["en"])


def make_post(author, title="A post") -> Post:
    return Post.objects.create(author=author, title=title, content="Body")


def make_product(seller, **fields) -> Product:
    return Product.objects.create(
        seller=seller, name=fields.pop("name", "Lamp"), price="10.00", stock=5, **fields
    )


def test_a_comment_reaches_its_posts_readers_only(daphne_server, people, streams):
    post, other = make_post(people["anna"]), make_post(people["anna"], "Other")
    anonymous = streams(daphne_server, None, f"?channel=notifications&channel=post-{post.pk}")
    elsewhere = streams(daphne_server, None, f"?channel=post-{other.pk}")
    browser = Browser(daphne_server, people["boris"])

    response = browser.post(f"/posts/{post.pk}/comments/", {"content": "First <b>!</b>"})
    assert response.status_code == 302
    event = wait_live(anonymous, f"post-{post.pk}", "First")
    html = event["html"]["en"]
    assert "First &lt;b&gt;!&lt;/b&gt;" in html  # user text escaped, as on the page
    assert 'data-live="append"' in html
    assert "csrfmiddlewaretoken" not in html and "Edit" not in html  # nobody's own page
    # Then the counts, with the comment in them.
    wait_live(anonymous, f"post-{post.pk}", f'id="post-{post.pk}-comment-total"')
    # The raw data never holds markup characters (as the notifications' data).
    raw = next(e.data for e in anonymous.of_type("live"))
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert all(e.id is None for e in anonymous.of_type("live"))  # no position to resume

    browser.post(f"/posts/{other.pk}/comments/", {"content": "Over there"})
    wait_live(elsewhere, f"post-{other.pk}", "Over there")
    assert live_events(elsewhere, f"post-{post.pk}") == []
    assert not any("Over there" in e["html"]["en"] for e in live_events(anonymous, "any"))


def test_edits_and_deletions_are_published(daphne_server, people, streams):
    post = make_post(people["anna"])
    reader = streams(daphne_server, None, f"?channel=post-{post.pk}&channel=posts")
    anna = Browser(daphne_server, people["anna"])
    anna.post(f"/posts/{post.pk}/comments/", {"content": "Typo here"})
    comment = post.comments.get()

    anna.post(f"/comments/{comment.pk}/edit/", {"content": "Fixed text"})
    event = wait_live(reader, f"post-{post.pk}", "Fixed text")
    assert f'id="comment-{comment.pk}-text"' in event["html"]["en"]

    anna.post(f"/comments/{comment.pk}/delete/", {})
    wait_live(reader, f"post-{post.pk}", f'id="comment-{comment.pk}" data-live="remove"')

    anna.post(f"/posts/{post.pk}/edit/", {"title": "New title", "content": "New *body*"})
    event = wait_live(reader, f"post-{post.pk}", "New title")
    assert "<em>body</em>" in event["html"]["en"]

    anna.post(f"/posts/{post.pk}/delete/", {})
    for channel in (f"post-{post.pk}", "posts"):
        wait_live(reader, channel, "This post has been deleted.")


@pytest.mark.parametrize(
    "channel",
    ["post-999999", "product-999999", "post-abc", "post-01", "post-0", "post-1%0A", "posts-1"],
)
def test_unknown_and_malformed_channels_are_refused(daphne_server, people, streams, channel):
    make_post(people["anna"])
    client = streams(daphne_server, people["anna"], f"?channel={channel}")
    assert client.status == 403
    error = json.loads(client.body.split("data: ", 1)[1])
    assert error["condition"] == "forbidden"


def test_a_product_off_sale_is_readable_by_its_seller_and_staff_only(
    daphne_server, people, streams
):
    staff = UserFactory(username="staff", is_staff=True)
    hidden = make_product(people["anna"], is_active=False)
    on_sale = make_product(people["anna"], name="On sale")
    query = f"?channel=product-{hidden.pk}"
    assert streams(daphne_server, None, query).status == 403
    assert streams(daphne_server, people["boris"], query).status == 403
    assert streams(daphne_server, people["anna"], query).status == 200
    assert streams(daphne_server, staff, query).status == 200
    for public in (f"?channel=product-{on_sale.pk}", "?channel=catalogue", "?channel=posts"):
        assert streams(daphne_server, None, public).status == 200


def test_a_sale_and_going_off_sale_reach_the_product_and_the_catalogue(
    daphne_server, people, streams
):
    product = make_product(people["anna"])
    page = streams(daphne_server, None, f"?channel=product-{product.pk}")
    catalogue = streams(daphne_server, None, "?channel=catalogue")
    fund(people["boris"], "100.00")
    buyer = Browser(daphne_server, people["boris"])
    assert buyer.post(f"/shop/products/{product.pk}/buy/", {"quantity": 2}).status_code == 302
    event = wait_live(page, f"product-{product.pk}", 'class="stock-count">3<')
    assert f'id="product-{product.pk}-buy"' in event["html"]["en"]
    wait_live(catalogue, "catalogue", "3 left")

    anna = Browser(daphne_server, people["anna"])
    form = {"name": "Lamp", "price": "12.50", "stock": 3, "stock_seen": 3, "is_active": "on"}
    response = anna.post(f"/shop/products/{product.pk}/edit/", form)
    assert response.status_code == 302, response.text[:300]
    wait_live(page, f"product-{product.pk}", "12.50")
    del form["is_active"]  # unticked: off sale
    assert anna.post(f"/shop/products/{product.pk}/edit/", form).status_code == 302
    event = wait_live(page, f"product-{product.pk}", "Not for sale")
    assert "disabled" in event["html"]["en"]
    assert "12.50" not in event["html"]["en"]  # nothing more of a product off sale
    wait_live(catalogue, "catalogue", "Not for sale")


def test_a_flood_of_reactions_is_coalesced_and_ends_with_the_last_state(
    daphne_server, people, streams
):
    post = make_post(people["anna"])
    reader = streams(daphne_server, None, f"?channel=post-{post.pk}")
    boris = Browser(daphne_server, people["boris"])
    changes = 30
    for n in range(changes):
        boris.post(f"/posts/{post.pk}/react/", {"value": "like" if n % 2 == 0 else "none"})
    boris.post(f"/posts/{post.pk}/react/", {"value": "dislike"})
    final = f'id="post-{post.pk}-dislikes" data-live="replace">1<'
    wait_live(reader, f"post-{post.pk}", final)
    counts = [e for e in live_events(reader, f"post-{post.pk}") if "-likes" in e["html"]["en"]]
    assert len(counts) < changes / 2, len(counts)
    assert final in counts[-1]["html"]["en"]
    assert f'id="post-{post.pk}-likes" data-live="replace">0<' in counts[-1]["html"]["en"]


def test_marking_read_tells_the_readers_other_pages(daphne_server, people, streams):
    anna = people["anna"]
    Browser(daphne_server, people["boris"]).post(
        f"/posts/{make_post(anna).pk}/react/", {"value": "like"}
    )
    other_tab = streams(daphne_server, anna)
    eavesdropper = streams(daphne_server, people["boris"])
    browser = Browser(daphne_server, anna)
    assert browser.post("/notifications/read-all/", {}).status_code == 302
    other_tab.wait_for(lambda events: any(e.event == "notification-read" for e in events))
    assert eavesdropper.of_type("notification-read") == []


def test_a_stream_that_reconnects_starts_with_stream_open_and_gets_new_events(
    daphne_server, people, streams
):
    """No history for live channels: the page fetches its live parts on every stream-open."""
    post = make_post(people["anna"])
    first = streams(daphne_server, None, f"?channel=notifications&channel=post-{post.pk}")
    Browser(daphne_server, people["boris"]).post(f"/posts/{post.pk}/comments/", {"content": "A"})
    wait_live(first, f"post-{post.pk}", "<p>A</p>")
    last = first.last_id()
    first.close()
    Browser(daphne_server, people["boris"]).post(f"/posts/{post.pk}/comments/", {"content": "B"})
    again = streams(
        daphne_server,
        None,
        f"?channel=notifications&channel=post-{post.pk}",
        **{"Last-Event-ID": last},
    )
    assert again.of_type("stream-open")
    Browser(daphne_server, people["boris"]).post(f"/posts/{post.pk}/comments/", {"content": "C"})
    wait_live(again, f"post-{post.pk}", "<p>C</p>")
    assert not any("<p>B</p>" in e["html"]["en"] for e in live_events(again, f"post-{post.pk}"))


@contextlib.contextmanager
def _two_processes(tmp_path):
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(redis_server(tmp_path))
        env = {"REDIS_URL": redis.url, "NOTIFY_WATCH_MS": "600000"}
        yield stack.enter_context(daphne(tmp_path, env)), stack.enter_context(daphne(tmp_path, env))


def test_live_events_cross_processes_through_redis(tmp_path):
    with _two_processes(tmp_path) as (one, two):
        anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
        post = make_post(anna)
        reader = SSEClient(two.url + STREAM + f"?channel=post-{post.pk}")
        try:
            Browser(one, boris).post(f"/posts/{post.pk}/comments/", {"content": "Via Redis"})
            wait_live(reader, f"post-{post.pk}", "Via Redis")
        finally:
            reader.close()


def test_live_channels_through_pushpin(tmp_path):
    with contextlib.ExitStack() as stack:
        origin_port = free_port()
        proxy = stack.enter_context(pushpin(tmp_path, origin_port))
        app = stack.enter_context(daphne(tmp_path, {"GRIP_URL": proxy.grip_url}, port=origin_port))
        anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
        post = make_post(anna)
        hidden = make_product(anna, is_active=False)
        refused = SSEClient(proxy.url + STREAM + "?channel=post-999999")
        assert refused.status == 403
        refused = SSEClient(
            proxy.url + STREAM + f"?channel=product-{hidden.pk}", cookies=session_cookies(boris)
        )
        assert refused.status == 403
        reader = SSEClient(
            proxy.url + STREAM + f"?channel=notifications&channel=post-{post.pk}",
            cookies=session_cookies(boris),
        )
        try:
            assert reader.status == 200
            Browser(app, anna).post(f"/posts/{post.pk}/comments/", {"content": "Via Pushpin"})
            wait_live(reader, f"post-{post.pk}", "Via Pushpin")
            # The history channel keeps its positions beside the live one.
            Browser(app, anna).post("/posts/new/", {"title": "And a post", "content": "x"})
            (event,) = reader.wait_notifications(1)
            assert event.id == f"notifications:{event.json['seq']}"
        finally:
            reader.close()


def test_stream_open_says_whether_the_page_is_still_current(daphne_server, people, streams):
    post = make_post(people["anna"])
    query = f"?channel=post-{post.pk}&live_since="

    def opening(since_ms: float) -> str:
        client = streams(daphne_server, None, query + str(int(since_ms)))
        data = client.wait_for(lambda events: events)[0].data
        client.close()
        return data

    def now_ms() -> float:
        return time.time() * 1000

    # A page from before the server listened (its first stream): it cannot tell.
    assert opening(now_ms()) == ""
    # Once it has listened longer than the clocks' leeway, a page rendered now is current.
    deadline = time.monotonic() + 15
    while opening(now_ms()) != '{"live": "current"}':
        assert time.monotonic() < deadline, "never current"
        time.sleep(0.1)
    rendered = now_ms()
    assert opening(rendered) == '{"live": "current"}'
    assert opening(rendered - 3_600_000) == ""  # older than the server's memory

    reader = streams(daphne_server, None, f"?channel=post-{post.pk}")
    assert reader.wait_for(lambda events: events)[0].data == ""  # no live_since: fetch
    Browser(daphne_server, people["boris"]).post(f"/posts/{post.pk}/comments/", {"content": "x"})
    wait_live(reader, f"post-{post.pk}", "<p>x</p>")
    assert opening(rendered) == ""  # changed since that page was rendered
    # Another post's page, and one rendered after the change (past the leeway), are current.
    other = make_post(people["anna"], "Other")
    elsewhere = streams(daphne_server, None, f"?channel=post-{other.pk}&live_since={int(rendered)}")
    assert elsewhere.wait_for(lambda events: events)[0].data == '{"live": "current"}'
    assert opening(now_ms() + 3_000) == '{"live": "current"}'
    # Only the history's channels: nothing to say.
    plain = streams(daphne_server, None, f"?channel=notifications&live_since={int(rendered)}")
    assert plain.wait_for(lambda events: events)[0].data == ""
    assert streams(daphne_server, None, query + "soon").status == 400
