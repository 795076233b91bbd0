from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import DataError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.template import Context, Template
from django.utils import translation

from shop import services
from shop.models import MAX_STOCK, Product, Purchase, UserProfile
from shop.selectors import product_buyers
from shop.templatetags.shop_tags import money
from tests.factories import UserFactory


def test_every_new_user_gets_an_empty_wallet(db):
    user = UserFactory(username="newcomer")
    assert user.profile.balance == Decimal("0.00")
    assert UserProfile.objects.filter(user=user).count() == 1


def test_profile_name_falls_back_to_the_username(user):
    assert user.profile.name == "alice"
    user.profile.display_name = "Alice A."
    assert user.profile.name == "Alice A."
    assert str(user.profile) == "Alice A."


def test_profile_url(user):
    assert user.profile.get_absolute_url() == "/shop/u/alice/"


@pytest.mark.parametrize(
    ("model", "update"),
    [
        (Product, {"stock": -1}),
        (Product, {"stock": MAX_STOCK + 1}),
        (Product, {"price": Decimal("0")}),
        (Product, {"price": Decimal("-0.01")}),
        (UserProfile, {"balance": Decimal("-0.01")}),
    ],
)
def test_database_refuses_bad_stock_balance_and_free_products(product, model, update):
    rows = model.objects.filter(pk=product.pk if model is Product else product.seller.profile.pk)
    # PostgreSQL's integer column refuses a stock past the limit before the check does.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        rows.update(**update)


@pytest.mark.parametrize(("quantity", "total"), [(0, "10.00"), (1, "0.00")])
def test_database_refuses_empty_purchases(product, buyer, quantity, total):
    with pytest.raises(IntegrityError), transaction.atomic():
        Purchase.objects.create(
            buyer=buyer,
            seller=product.seller,
            product=product,
            product_name=product.name,
            unit_price=product.price,
            quantity=quantity,
            total=Decimal(total),
        )


def test_product_states(product):
    assert product.is_buyable
    product.stock = 0
    assert product.is_sold_out
    assert not product.is_buyable


def test_only_the_seller_and_staff_manage_a_product(product, user, other_user, staff_user):
    assert product.can_be_managed_by(user)
    assert product.can_be_managed_by(staff_user)
    assert not product.can_be_managed_by(other_user)
    assert not product.can_be_managed_by(AnonymousUser())


def test_buyers_come_from_purchases(product, buyer):
    services.product_buy(product=product, buyer=buyer, quantity=1)
    services.product_buy(product=product, buyer=buyer, quantity=1)
    assert list(product.buyers.distinct()) == [buyer]
    assert list(product_buyers(product=product)) == [buyer]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("10"), "$10.00"),
        (Decimal("0.1"), "$0.10"),
        (Decimal("1234567.891"), "$1,234,567.89"),
        (Decimal("2.675"), "$2.68"),  # half up, which a float (2.67499...) would not give
        (3, "$3.00"),
        (None, ""),
        ("abc", ""),
    ],
)
def test_money_filter(value, expected):
    with translation.override("en"):
        assert money(value) == expected


def test_money_filter_follows_the_locale():
    with translation.override("ru"):
        formatted = money(Decimal("1234.5"))
    assert "1\xa0234,50" in formatted


def test_money_filter_in_a_template():
    with translation.override("en"):  # an earlier request may have left another language on
        html = Template("{% load shop_tags %}{{ price|money }}").render(
            Context({"price": Decimal("19.99")})
        )
    assert html == "$19.99"


def test_data_migration_gives_existing_users_a_profile(db):
    migration = import_module("shop.migrations.0002_create_missing_profiles")
    user = UserFactory(username="legacy")
    UserProfile.objects.filter(user=user).delete()

    migration.create_missing_profiles(apps, None)
    migration.create_missing_profiles(apps, None)  # idempotent

    assert UserProfile.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_stock_migration_caps_what_sqlite_let_through(user):
    executor = MigrationExecutor(connection)
    before, after = [("shop", "0002_create_missing_profiles")], [("shop", "0003_product_stock_max")]
    executor.migrate(before)
    try:
        Old = executor.loader.project_state(before).apps.get_model("shop", "Product")
        huge = {"seller_id": user.pk, "name": "Huge", "price": 1, "stock": 2**63 - 1}
        if connection.vendor == "sqlite":
            old = Old.objects.create(**huge)
        else:
            # PostgreSQL's integer column never held more than the limit: nothing to cap.
            with pytest.raises(DataError), transaction.atomic():
                Old.objects.create(**huge)
            old = Old.objects.create(**{**huge, "stock": MAX_STOCK})
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("shop"))
    assert Product.objects.get(pk=old.pk).stock == MAX_STOCK
