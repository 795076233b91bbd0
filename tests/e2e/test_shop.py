"""Buying in the shop: the page updates in place, and the seller hears of it live."""

from decimal import Decimal
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from shop.models import Product, Purchase
from tests.e2e.conftest import assert_same_page, mark_page, screenshot, unread, wait_streaming
from tests.shop.factories import balance, fund


def test_buying_updates_stock_balance_and_receipt_in_place_and_tells_the_seller(live, page_for):
    call_command("seed_demo", "--no-admin", stdout=StringIO())
    users = get_user_model().objects
    alice, bob = users.get(username="alice"), users.get(username="bob")
    teapot = Product.objects.get(name="Cast-iron teapot", seller=alice)
    assert (teapot.stock, teapot.price) == (2, Decimal("54.00"))
    fund(bob, "200.00")
    sellers_money = balance(alice)
    seller, buyer = page_for(alice), page_for(bob)
    seller.goto("/shop/sales/")
    wait_streaming(seller)
    seller_unread = unread(seller)

    buyer.goto("/shop/")
    card = buyer.locator("article.product-card", has_text="Cast-iron teapot")
    expect(card).to_contain_text("2 left")
    screenshot(buyer, "shop")
    card.get_by_role("link", name="Cast-iron teapot").click()
    url = live.url + teapot.get_absolute_url()
    assert buyer.url == url
    buy = buyer.locator("#buy")
    expect(buy.locator(".stock-count")).to_have_text("2")
    expect(buy.locator(".balance-amount")).to_have_text("$200.00")
    screenshot(buyer, "product")
    mark_page(buyer)
    # htmx has taken the page over (its stream is open): the buy is the in-place one. A
    # click before that is the plain form's, which a loaded machine can make happen.
    wait_streaming(buyer)

    buy.locator("input[name=quantity]").fill("1")
    buy.get_by_role("button", name="Buy").click()
    receipt = buyer.locator("#buy .receipt")
    expect(receipt).to_contain_text("Thank you! Your receipt")
    expect(receipt.locator(".receipt-quantity")).to_have_text("1")
    expect(receipt.locator(".receipt-total")).to_have_text("$54.00")
    expect(buy.locator(".stock-count")).to_have_text("1")
    expect(buy.locator(".balance-amount")).to_have_text("$146.00")
    assert_same_page(buyer, url)
    screenshot(buyer, "receipt")

    sale = seller.locator("#toasts .toast[data-kind=sale]")
    expect(sale).to_have_text("bob bought 1 × “Cast-iron teapot” ×")
    expect(sale.get_by_role("link")).to_have_attribute("href", teapot.get_absolute_url())
    expect(seller.locator("#unread-badge")).to_have_attribute("data-count", str(seller_unread + 1))

    # The last one.
    buy.locator("input[name=quantity]").fill("1")
    buy.get_by_role("button", name="Buy").click()
    expect(buy.locator(".sold-out")).to_have_text("Sold out")
    expect(buy.locator(".receipt-total")).to_have_text("$54.00")
    expect(buy.locator(".balance-amount")).to_have_text("$92.00")
    expect(buy.locator("form.buy-form")).to_have_count(0)
    expect(buy).to_contain_text("Check back later")
    assert_same_page(buyer, url)
    expect(seller.locator("#toasts .toast[data-kind=sale]")).to_have_count(2)
    expect(seller.locator("#unread-badge")).to_have_attribute("data-count", str(seller_unread + 2))

    teapot.refresh_from_db()
    assert teapot.stock == 0
    assert Purchase.objects.filter(product=teapot, buyer=bob).count() == 2
    assert balance(bob) == Decimal("92.00")
    assert balance(alice) == sellers_money + Decimal("108.00")

    buyer.reload()
    expect(buyer.locator("#buy .sold-out")).to_have_text("Sold out")
    buyer.goto("/shop/")
    expect(buyer.locator("article.product-card", has_text="Cast-iron teapot")).to_contain_text(
        "Sold out"
    )
