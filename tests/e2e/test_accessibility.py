"""Accessibility in a real browser: axe-core's serious rules, and what axe cannot judge alone."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Page, expect

from blog import services as blog
from tests.e2e.conftest import assert_accessible
from tests.shop.factories import ProductFactory

# WCAG's contrast ratio of a text element against what is behind it, as the eye gets it:
# the text and the nearest background both seen through the opacity of every ancestor.
CONTRAST = """
(el) => {
  const rgba = (css) => {
    const [r, g, b, a = 1] = css.match(/[\\d.]+/g).map(Number);
    return {rgb: [r, g, b], a};
  };
  const over = (top, alpha, bottom) => top.map((v, i) => alpha * v + (1 - alpha) * bottom[i]);
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const root = rgba(getComputedStyle(document.documentElement).backgroundColor).rgb;
  let opacity = 1, background = null;
  for (let node = el; node; node = node.parentElement) {
    const style = getComputedStyle(node);
    opacity *= Number(style.opacity);
    const color = rgba(style.backgroundColor);
    if (!background && color.a > 0) background = over(color.rgb, color.a, root);
  }
  const text = rgba(getComputedStyle(el).color);
  const fg = over(over(text.rgb, text.a, background || root), opacity, root);
  const bg = over(background || root, opacity, root);
  const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
"""

# HTML allows at most three digits of a second's fraction in datetime; Django's "c" gave six.
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}")


@pytest.fixture
def site(live):
    """The demo site, with a post that links out and a sold-out product."""
    call_command("seed_demo", "--no-admin", stdout=StringIO())
    users = get_user_model().objects
    alice, bob = users.get(username="alice"), users.get(username="bob")
    post = blog.post_create(
        author=alice, title="Reading list", content="Start with [the tutorial](/shop/) today."
    )
    blog.comment_create(post=post, author=bob, content="Thanks!")
    lamp = ProductFactory(seller=alice, name="Sold-out lamp", stock=0)
    return {"alice": alice, "bob": bob, "post": post, "lamp": lamp}


def datetimes(page: Page) -> list[str]:
    return page.locator("time").evaluate_all("(els) => els.map((el) => el.dateTime)")


def test_main_pages_pass_axe_and_have_valid_datetimes(site, page_for):
    page = page_for(site["alice"])
    pages = [
        "/",
        site["post"].get_absolute_url(),
        "/shop/",
        site["lamp"].get_absolute_url(),
        "/notifications/",
    ]
    seen = []
    for url in pages:
        page.goto(url)
        assert_accessible(page)
        seen += datetimes(page)
    anonymous = page_for()
    anonymous.goto("/accounts/login/")
    assert_accessible(anonymous)
    assert seen
    assert all(DATETIME.fullmatch(value) for value in seen), seen


def test_links_in_text_are_underlined_and_navigation_is_not(site, page_for):
    page = page_for(site["alice"])
    page.goto(site["post"].get_absolute_url())

    def decoration(locator) -> str:
        return locator.evaluate("(el) => getComputedStyle(el).textDecorationLine")

    assert decoration(page.locator(".prose a", has_text="the tutorial")) == "underline"
    assert decoration(page.locator(".comment-meta a").first) == "underline"
    assert decoration(page.locator(".nav-links a", has_text="Shop")) == "none"
    assert decoration(page.get_by_role("link", name="Edit").first) == "none"  # a button

    page.goto("/notifications/")
    link = page.locator("#notification-list li.notification a").first
    expect(link).to_be_visible()
    assert decoration(link) == "underline"


def test_sold_out_product_card_keeps_text_contrast(site, page_for):
    page = page_for(site["bob"])
    page.goto("/shop/")
    card = page.locator("article.product-card", has_text="Sold-out lamp")
    expect(card.locator(".sold-out")).to_have_text("Sold out")
    assert card.evaluate("(el) => getComputedStyle(el).opacity") == "1"
    texts = card.locator(".product-name a, .price, .tag, .small-text, .small-text a")
    assert texts.count() >= 4
    for i in range(texts.count()):
        element = texts.nth(i)
        ratio = element.evaluate(CONTRAST)
        assert ratio >= 4.5, f"{element.inner_text()!r}: {ratio:.2f}:1"
