"""Live pages (notify.live): what a reader is looking at follows the changes by itself."""

from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from playwright.sync_api import Page, expect

from blog import services as blog
from blog.models import Post
from notify.models import Notification
from shop.models import Product
from tests.e2e.conftest import (
    assert_same_page,
    mark_page,
    screenshot,
    wait_for_js,
    wait_streaming,
)
from tests.factories import UserFactory
from tests.shop.factories import fund

# The bar: within a second of the change; a loaded test machine gets some slack.
LIVE_MS = 3000


def reading(page: Page, url: str) -> None:
    """Open `url` and wait until its stream is open and its live parts were fetched again."""
    page.goto(url)
    wait_streaming(page)
    wait_for_js(page, "window.__liveRefreshes > 0")
    mark_page(page)


def comment_in_browser(page: Page, text: str) -> None:
    page.locator("#comment-form textarea").fill(text)
    page.locator("#comment-form").get_by_role("button", name="Comment").click()


def test_a_post_follows_comments_reactions_edits_and_deletion(live, page_for):
    anna, boris, clara = (UserFactory(username=n) for n in ("anna", "boris", "clara"))
    post = blog.post_create(author=anna, title="Tulips", content="The first *tulips*.")
    url = post.get_absolute_url()
    anonymous, reader, writer = page_for(), page_for(clara), page_for(boris)
    for page in (anonymous, reader, writer):
        reading(page, url)
    lists = page_for(name="list reader")
    reading(lists, "/")
    card = lists.locator(f"#post-{post.pk}")

    # A new comment: in place, with the count, for everybody (the anonymous reader too).
    comment_in_browser(writer, "Lovely <b>colours</b>")
    for page in (anonymous, reader):
        comment = page.locator("#comment-list .comment")
        expect(comment).to_have_count(1, timeout=LIVE_MS)
        expect(comment.locator(".comment-body")).to_have_text("Lovely <b>colours</b>")
        expect(comment.locator(".actions")).to_have_count(0)  # not theirs to edit
        expect(page.locator(".comment-count")).to_have_text("1")
        expect(page.get_by_text("No comments yet.")).to_have_count(0)
    expect(card.locator(f"#post-{post.pk}-card-comments")).to_have_text(
        "1 comment", timeout=LIVE_MS
    )
    screenshot(anonymous, "live-comment")
    # The writer's own comment is there once, with its edit buttons.
    mine = writer.locator("#comment-list .comment")
    expect(mine).to_have_count(1)
    expect(mine.get_by_role("link", name="Edit")).to_be_visible()
    comment_id = post.comments.get().pk

    # An edit replaces the text in place.
    mine.get_by_role("link", name="Edit").click()
    writer.locator(f"#comment-{comment_id} textarea").fill("Lovely colours, edited")
    writer.locator(f"#comment-{comment_id}").get_by_role("button", name="Save").click()
    for page in (anonymous, reader):
        expect(page.locator(f"#comment-{comment_id} .comment-body")).to_have_text(
            "Lovely colours, edited", timeout=LIVE_MS
        )
        expect(page.locator(f"#comment-{comment_id} .comment-meta")).to_contain_text("edited")
    expect(
        writer.locator(f"#comment-{comment_id}").get_by_role("link", name="Edit")
    ).to_be_visible()

    # Reactions: every reader's counts follow; the reactor's own button stays pressed.
    writer.locator(".reactions button[value=like]").click()
    expect(writer.locator(".reactions button").first).to_have_attribute("aria-pressed", "true")
    reader.locator(".reactions button[value=dislike]").click()
    for page in (anonymous, reader, writer, lists):
        expect(page.locator(f"#post-{post.pk}-likes")).to_have_text("1", timeout=LIVE_MS)
        expect(page.locator(f"#post-{post.pk}-dislikes")).to_have_text("1", timeout=LIVE_MS)
    expect(writer.locator(".reactions button").first).to_have_attribute("aria-pressed", "true")

    # A deleted comment disappears, and the counts follow.
    page_for.expect_dialog("confirm", "Delete this comment?")
    writer.locator(f"#comment-{comment_id}").get_by_role("button", name="Delete").click()
    for page in (anonymous, reader):
        expect(page.locator(f"#comment-{comment_id}")).to_have_count(0, timeout=LIVE_MS)
        expect(page.locator(".comment-count")).to_have_text("0")
    expect(card.locator(f"#post-{post.pk}-card-comments")).to_have_text(
        "0 comments", timeout=LIVE_MS
    )

    # The author edits the post: its body is replaced for the readers.
    author = page_for(anna)
    author.goto(f"/posts/{post.pk}/edit/")
    author.fill("input[name=title]", "Tulips and daffodils")
    author.fill("textarea[name=content]", "Now the *daffodils* too.")
    author.get_by_role("button", name="Save").click()
    for page in (anonymous, reader):
        expect(page.locator("h1.post-title")).to_have_text("Tulips and daffodils", timeout=LIVE_MS)
        expect(page.locator(".post .prose em")).to_have_text("daffodils")

    # ...and deletes it: a notice instead of the post.
    author.goto(f"/posts/{post.pk}/delete/")
    author.get_by_role("button", name="Delete").click()
    for page in (anonymous, reader):
        expect(page.locator(f"#post-{post.pk}")).to_have_text(
            "This post has been deleted.", timeout=LIVE_MS
        )
        expect(page.locator("#comment-form")).to_have_count(0)
    expect(card).to_have_text("This post has been deleted.", timeout=LIVE_MS)
    # The author's pages of the post are gone (404): the other tests check them with axe.
    page_for.visited[author.context] = []
    for page in (anonymous, reader, lists):
        assert_same_page(page)


def test_a_new_comment_below_does_not_move_what_the_reader_reads(live, page_for):
    anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
    post = blog.post_create(author=anna, title="Long", content="\n\n".join(["Text."] * 40))
    for n in range(15):
        blog.comment_create(post=post, author=anna, content=f"Comment {n}\n\nmore\n\nmore")
    reader, writer = page_for(), page_for(boris)
    reading(reader, post.get_absolute_url())
    reading(writer, post.get_absolute_url())
    reader.locator("#comment-list .comment").nth(3).scroll_into_view_if_needed()
    reader.evaluate("window.scrollBy(0, 100)")
    watched = reader.locator("#comment-list .comment").nth(5)
    before = (reader.evaluate("window.scrollY"), watched.bounding_box()["y"])

    comment_in_browser(writer, "A new one at the end")
    expect(reader.locator("#comment-list .comment")).to_have_count(16, timeout=LIVE_MS)
    writer.locator(".reactions button[value=like]").click()
    expect(reader.locator(f"#post-{post.pk}-likes")).to_have_text("1", timeout=LIVE_MS)
    assert (reader.evaluate("window.scrollY"), watched.bounding_box()["y"]) == before


def test_product_and_catalogue_follow_sales_price_and_sale(live, page_for):
    anna, boris, clara = (UserFactory(username=n) for n in ("anna", "boris", "clara"))
    fund(boris, "500.00")
    fund(clara, "500.00")
    lamp = Product.objects.create(seller=anna, name="Lamp", price="10.00", stock=3)
    url = lamp.get_absolute_url()
    buyer, reader, window = page_for(boris), page_for(clara), page_for()
    reading(buyer, url)
    reading(reader, url)
    reading(window, "/shop/")
    card_stock = window.locator(f"#product-{lamp.pk}-card-stock")
    expect(card_stock).to_have_text("3 left")

    # A sale: the stock follows on the other reader's page and in the catalogue.
    buyer.locator("input[name=quantity]").fill("2")
    buyer.get_by_role("button", name="Buy").click()
    expect(buyer.locator("#buy .receipt")).to_contain_text("Thank you!")
    expect(reader.locator("#buy .stock-count")).to_have_text("1", timeout=LIVE_MS)
    expect(card_stock).to_have_text("1 left", timeout=LIVE_MS)
    expect(reader.locator("#product-sales")).to_contain_text("2 sold · Bought by boris")

    # A price change is shown.
    seller = page_for(anna)
    seller.goto(f"/shop/products/{lamp.pk}/edit/")
    seller.fill("input[name=price]", "12.50")
    seller.get_by_role("button", name="Save").click()
    expect(reader.locator(f"#product-{lamp.pk}-price")).to_have_text("$12.50", timeout=LIVE_MS)
    expect(window.locator(f"#product-{lamp.pk}-card-price")).to_have_text("$12.50", timeout=LIVE_MS)

    # The last one sells: the reader's buy button is disabled at once.
    buyer.locator("input[name=quantity]").fill("1")
    buyer.get_by_role("button", name="Buy").click()
    expect(buyer.locator("#buy .receipt")).to_contain_text("Thank you!")
    expect(reader.locator("#buy .tag.sold-out")).to_have_text("Sold out", timeout=LIVE_MS)
    buy_button = reader.get_by_role("button", name="Buy")
    expect(buy_button).to_be_disabled()
    expect(card_stock).to_have_text("Sold out", timeout=LIVE_MS)
    screenshot(reader, "live-sold-out")

    # A buy forced anyway gets the server's own answer.
    reader.evaluate(f"document.getElementById('product-{lamp.pk}-buy').disabled = false")
    buy_button.click()
    expect(reader.locator("#buy")).to_contain_text("Sorry, this product is sold out.")
    assert Product.objects.get(pk=lamp.pk).stock == 0

    # Off sale: readers see it and cannot buy.
    table = Product.objects.create(seller=anna, name="Table", price="80.00", stock=4)
    reading(reader, table.get_absolute_url())
    reading(window, "/shop/")
    seller.goto(f"/shop/products/{table.pk}/edit/")
    seller.locator("input[name=is_active]").uncheck()
    seller.get_by_role("button", name="Save").click()
    expect(reader.locator(f"#product-{table.pk}-stock")).to_have_text(
        "Not for sale", timeout=LIVE_MS
    )
    expect(reader.get_by_role("button", name="Buy")).to_be_disabled()
    expect(window.locator(f"#product-{table.pk}-card-stock")).to_have_text(
        "Not for sale", timeout=LIVE_MS
    )
    for page in (buyer, reader, window):
        assert_same_page(page)
    assert Product.objects.get(pk=table.pk).stock == 4
    assert Decimal(str(Product.objects.get(pk=lamp.pk).price)) == Decimal("12.50")


def test_the_notification_centre_follows_new_notifications_and_reads_elsewhere(live, page_for):
    anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
    post = blog.post_create(author=anna, title="Anna's post", content="x")
    this_tab = page_for(anna)
    reading(this_tab, "/notifications/")
    other_tab = this_tab.context.new_page()
    other_tab.goto("/notifications/")
    wait_streaming(other_tab)
    expect(this_tab.locator(".notification")).to_have_count(0)

    writer = page_for(boris)
    reading(writer, post.get_absolute_url())
    comment_in_browser(writer, "Nice")
    item = this_tab.locator(".notification").first
    expect(item).to_contain_text("boris commented on “Anna's post”", timeout=LIVE_MS)
    expect(item).to_have_class("notification unread")
    writer.locator(".reactions button[value=like]").click()
    expect(this_tab.locator(".notification")).to_have_count(2, timeout=LIVE_MS)
    expect(this_tab.locator(".notification").first).to_contain_text("boris liked")
    expect(this_tab.locator("#unread-badge")).to_have_attribute("data-count", "2")

    # Marked read in the other tab: this one follows (the item and the badge).
    expect(other_tab.locator(".notification.unread")).to_have_count(2, timeout=LIVE_MS)
    other_tab.locator(".notification").first.get_by_role("button", name="Mark read").click()
    expect(this_tab.locator(".notification.unread")).to_have_count(1, timeout=LIVE_MS)
    expect(this_tab.locator("#unread-badge")).to_have_attribute("data-count", "1")
    other_tab.get_by_role("button", name="Mark all read").click()
    expect(this_tab.locator(".notification.unread")).to_have_count(0, timeout=LIVE_MS)
    expect(this_tab.locator("#unread-badge")).to_have_attribute("data-count", "0")
    assert_same_page(this_tab)
    assert Notification.objects.filter(recipient=anna).count() == 2


def test_a_reader_who_was_away_ends_with_the_current_state(live, page_for):
    anna = UserFactory(username="anna")
    call_command("seed_demo", "--no-admin", stdout=StringIO())
    post = blog.post_create(author=anna, title="Away", content="x")
    reader = page_for()
    reading(reader, post.get_absolute_url())

    with page_for.stream_trouble():
        live.stop()
        wait_for_js(reader, "window.__sseErrors.length > 0")
        # Changes the reader's stream cannot carry: the server is down.
        blog.comment_create(post=post, author=anna, content="Written while you were away")
        blog.reaction_set(post=post, user=anna, value="like")
        live.start()
        # chromium retries about every 3 seconds; then the page fetches its live parts.
        wait_for_js(reader, "window.__liveRefreshes > 1", timeout=20)

    expect(reader.locator("#comment-list .comment-body")).to_have_text(
        "Written while you were away"
    )
    expect(reader.locator(f"#post-{post.pk}-likes")).to_have_text("1")
    expect(reader.locator(".comment-count")).to_have_text("1")
    assert_same_page(reader)
    assert Post.objects.filter(pk=post.pk).exists()


def test_a_reader_away_while_the_post_was_deleted_is_told_it_is_gone(live, page_for):
    anna = UserFactory(username="anna")
    post = blog.post_create(author=anna, title="Soon gone", content="Read me while you can")
    reader = page_for()
    reading(reader, post.get_absolute_url())

    with page_for.stream_trouble():
        live.stop()
        wait_for_js(reader, "window.__sseErrors.length > 0")
        blog.post_delete(post=post, user=anna)  # the deletion's live event reaches nobody
        live.start()
        # The reconnect is refused (the post's channel is gone); the page asks again.
        expect(reader.locator("#not-found")).to_be_visible(timeout=20_000)
        expect(reader.get_by_text("Read me while you can")).to_have_count(0)
        expect(reader.locator("#not-found h1")).to_have_text("Not found")
        # The page's own fetch of its address answered 404, as it had to: not a fault.
        page_for.watch.problems[:] = [p for p in page_for.watch.problems if "404" not in p]
        # The page stopped its stream: no further refused reconnects after this.
        refused = len(page_for.watch.tolerated)
        reader.wait_for_timeout(4000)  # longer than chromium's and htmx's retry delays
        assert len(page_for.watch.tolerated) == refused
