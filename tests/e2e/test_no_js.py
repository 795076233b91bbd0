"""With JavaScript switched off, every action still works as a plain form."""

from decimal import Decimal

from playwright.sync_api import expect

from blog import services as blog
from blog.models import Comment, Post, Reaction
from shop import services as shop
from shop.models import Purchase
from tests.factories import UserFactory
from tests.shop.factories import balance, fund


def test_log_in_post_comment_like_and_buy_without_javascript(live, page_for):
    bob = UserFactory(username="bob")
    carol = UserFactory(username="carol")
    carols_post = blog.post_create(author=carol, title="Bread", content="Flour, water, salt.")
    kettle = shop.product_create(seller=carol, name="Kettle", price=Decimal("20.00"), stock=3)
    fund(bob, "50.00")
    page = page_for(bob, login="form", javascript=False)  # the real login form, no JS
    assert page.evaluate("1 + 1") == 2  # Playwright still reads the page; the page runs nothing
    assert page.evaluate("typeof window.htmx") == "undefined"
    expect(page.locator(".nav-profile")).to_have_text("bob")

    page.get_by_role("link", name="Write a post").click()
    page.fill("input[name=title]", "Written without scripts")
    page.fill("textarea[name=content]", "Plain *forms* all the way.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    post = Post.objects.get(title="Written without scripts")
    assert page.url == live.url + post.get_absolute_url()
    expect(page.locator("h1.post-title")).to_have_text("Written without scripts")

    page.goto(carols_post.get_absolute_url())
    page.fill("#comment-form textarea[name=content]", "Which flour?")
    with page.expect_navigation():
        page.locator("#comment-form").get_by_role("button", name="Comment").click()
    comment = Comment.objects.get(post=carols_post, author=bob)
    assert page.url.startswith(live.url + carols_post.get_absolute_url())
    expect(page.locator("#messages")).to_contain_text("Your comment is added.")
    expect(page.locator(f"#comment-{comment.pk} .comment-body")).to_have_text("Which flour?")

    like = page.locator(".reactions button.reaction", has=page.locator(".like-count"))
    with page.expect_navigation():
        like.click()
    expect(page.locator("#messages")).to_contain_text("Your reaction is saved.")
    expect(page.locator(".reactions .like-count")).to_have_text("1")
    expect(like).to_have_attribute("aria-pressed", "true")
    assert Reaction.objects.get(post=carols_post, user=bob).value == "like"

    page.goto(kettle.get_absolute_url())
    page.fill("#buy input[name=quantity]", "2")
    with page.expect_navigation():
        page.locator("#buy").get_by_role("button", name="Buy").click()
    assert page.url == live.url + kettle.get_absolute_url()
    expect(page.locator("#messages")).to_contain_text("You bought Kettle (2) for $40.00.")
    expect(page.locator("#buy .stock-count")).to_have_text("1")
    expect(page.locator("#buy .balance-amount")).to_have_text("$10.00")
    assert Purchase.objects.get(product=kettle, buyer=bob).quantity == 2
    assert balance(bob) == Decimal("10.00")


def test_deleting_a_comment_without_javascript_asks_first(live, page_for):
    carol = UserFactory(username="carol")
    post = blog.post_create(author=carol, title="Bread", content="Flour, water, salt.")
    comment = blog.comment_create(post=post, author=carol, content="Rye works too.")
    page = page_for(carol, javascript=False)
    page.goto(post.get_absolute_url())

    card = page.locator(f"#comment-{comment.pk}")
    with page.expect_navigation():
        card.get_by_role("button", name="Delete").click()
    expect(page.locator("h1")).to_have_text("Delete this comment?")
    expect(page.locator("main")).to_contain_text("Rye works too.")
    assert Comment.objects.filter(pk=comment.pk).exists()

    with page.expect_navigation():
        page.get_by_role("link", name="Cancel").click()
    assert page.url == live.url + comment.get_absolute_url()
    assert Comment.objects.filter(pk=comment.pk).exists()

    with page.expect_navigation():
        card.get_by_role("button", name="Delete").click()
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Delete").click()
    assert page.url == live.url + post.get_absolute_url() + "#comments"
    expect(page.locator("#messages")).to_contain_text("The comment is deleted.")
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_switch_language_and_log_out_from_the_navigation_without_javascript(live, page_for):
    """The navigation's buttons submit the forms after it (form=): its cached part holds no
    CSRF token or way back, theirs does."""
    bob = UserFactory(username="bob")
    page = page_for(bob, javascript=False)
    page.goto("/shop/?q=tea")
    with page.expect_navigation():
        page.locator(".lang-switch button[lang=ru]").click()
    assert page.url == live.url + "/shop/?q=tea"  # back where it was, the search kept
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".nav-profile")).to_have_text("bob")

    with page.expect_navigation():
        page.get_by_role("button", name="Выйти").click()
    expect(page.locator(".nav-profile")).to_have_count(0)
    expect(page.locator(".nav-user")).to_contain_text("Войти")
    page.goto("/notifications/")
    assert "/accounts/login/" in page.url  # signed out for real, not just another page
