"""Many buyers at the same moment, each on its own thread and database connection."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from config.errors import Conflict
from shop import services
from shop.models import Product, Purchase
from tests.factories import UserFactory
from tests.shop.factories import ProductFactory, balance, fund, total_money
from tests.threads import run_at_once

BUYERS = 30
STOCK = 5
PRICE = Decimal("10.00")


def setup_market():
    assert connection.vendor != "sqlite" or connection.settings_dict["NAME"] != ":memory:"
    seller = UserFactory(username="seller")
    product = ProductFactory(seller=seller, price=PRICE, stock=STOCK)
    buyers = []
    for i in range(BUYERS):
        buyer = UserFactory(username=f"buyer{i:02d}")
        # A third can pay for nothing (9.99 < 10.00); the rest for several items.
        fund(buyer, "9.99" if i % 3 == 0 else "50.00")
        buyers.append(buyer)
    return seller, product, buyers


@pytest.mark.django_db(transaction=True)
def test_thirty_buyers_at_once_never_oversell_nor_lose_money():
    seller, product, buyers = setup_market()
    money_before = total_money()

    def buy(buyer):
        return lambda: services.product_buy(product=product.pk, buyer=buyer, quantity=1)

    results = run_at_once([buy(buyer) for buyer in buyers])

    outcomes = Counter(
        "bought" if isinstance(r, Purchase) else r.code if isinstance(r, Conflict) else repr(r)
        for r in results
    )
    # Only refusals by the rules: no "database is locked", no IntegrityError.
    assert set(outcomes) <= {"bought", "out_of_stock", "insufficient_funds"}, outcomes
    assert outcomes["bought"] == STOCK
    assert outcomes["insufficient_funds"] + outcomes["out_of_stock"] == BUYERS - STOCK

    assert Purchase.objects.count() == STOCK
    assert Product.objects.get(pk=product.pk).stock == 0
    # The stored count of items sold moved with the stock, in the same statements.
    assert Product.objects.get(pk=product.pk).sold == STOCK
    assert total_money() == money_before
    assert balance(seller) == STOCK * PRICE
    # The poor third never gets anything, whether they come early or late.
    buyers_who_paid = {purchase.buyer for purchase in Purchase.objects.select_related("buyer")}
    assert len(buyers_who_paid) == STOCK
    for buyer in buyers:
        expected = (
            "40.00"
            if buyer in buyers_who_paid
            else "9.99"
            if buyers.index(buyer) % 3 == 0
            else "50.00"
        )
        assert balance(buyer) == Decimal(expected)


@pytest.mark.django_db(transaction=True)
def test_buy_pages_under_a_rush_answer_every_request_without_errors():
    _seller, product, buyers = setup_market()
    money_before = total_money()
    url = f"/shop/products/{product.pk}/buy/"
    clients = []
    for buyer in buyers:
        client = Client()
        client.force_login(buyer)
        clients.append(client)

    def post(client, headers):
        return lambda: client.post(url, {"quantity": "1"}, headers=headers)

    # Half come through htmx, half as plain form posts.
    jobs = [
        post(client, {"HX-Request": "true"} if i % 2 else {}) for i, client in enumerate(clients)
    ]
    responses = run_at_once(jobs)

    errors = [r for r in responses if isinstance(r, BaseException)]
    assert errors == []
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 302, 409}, statuses
    for response in responses:
        assert b"database is locked" not in response.content
    assert Purchase.objects.count() == STOCK
    assert Product.objects.get(pk=product.pk).stock == 0
    assert total_money() == money_before


@pytest.mark.django_db(transaction=True)
def test_a_stock_edit_racing_buyers_never_undoes_a_sale():
    seller, product, buyers = setup_market()
    rich = [buyer for i, buyer in enumerate(buyers) if i % 3][:3]

    def edit():
        return services.product_update(product=product, user=seller, stock=20, stock_seen=STOCK)

    def buy(buyer):
        return lambda: services.product_buy(product=product.pk, buyer=buyer, quantity=1)

    results = run_at_once([edit, *(buy(buyer) for buyer in rich)])

    assert all(isinstance(r, Purchase) for r in results[1:]), results
    edited = not isinstance(results[0], services.StockChanged)
    assert edited or results[0].stock < STOCK, results[0]
    stock = Product.objects.get(pk=product.pk).stock
    assert stock == (20 if edited else STOCK) - len(rich)
