from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from config.errors import Conflict
from shop import services
from shop.models import MAX_STOCK, Product, Purchase, UserProfile
from shop.signals import product_purchased
from tests.factories import UserFactory
from tests.shop.factories import ProductFactory, balance, fund, total_money


def assert_nothing_changed(product, buyer, *, stock=5, buyer_balance="100.00"):
    assert Product.objects.get(pk=product.pk).stock == stock
    assert balance(buyer) == Decimal(buyer_balance)
    assert balance(product.seller) == Decimal("0.00")
    assert not Purchase.objects.exists()


# --- buying: the happy path -------------------------------------------------------------


def test_buy_moves_stock_and_money_and_records_the_purchase(product, buyer):
    before = total_money()

    purchase = services.product_buy(product=product, buyer=buyer, quantity=3)

    product.refresh_from_db()
    assert product.stock == 2
    assert balance(buyer) == Decimal("70.00")
    assert balance(product.seller) == Decimal("30.00")
    assert total_money() == before
    assert purchase.buyer == buyer
    assert purchase.seller == product.seller
    assert purchase.product == product
    assert purchase.product_name == "Teapot"
    assert purchase.unit_price == Decimal("10.00")
    assert purchase.quantity == 3
    assert purchase.total == Decimal("30.00")
    assert list(product.buyers.all()) == [buyer]


def test_buy_accepts_a_product_id(product, buyer):
    purchase = services.product_buy(product=product.pk, buyer=buyer, quantity=1)
    assert purchase.product_id == product.pk


def test_buy_can_take_the_last_item_with_the_last_cent(user, buyer):
    product = ProductFactory(seller=user, price=Decimal("33.33"), stock=3)
    fund(buyer, "99.99")

    services.product_buy(product=product, buyer=buyer, quantity=3)

    assert Product.objects.get(pk=product.pk).stock == 0
    assert balance(buyer) == Decimal("0.00")
    assert balance(user) == Decimal("99.99")


@pytest.mark.parametrize(
    ("price", "quantity", "total"),
    [
        ("0.01", 1, "0.01"),
        ("0.10", 3, "0.30"),  # 0.1 * 3 is 0.30000000000000004 in floats
        ("19.99", 7, "139.93"),
        ("1234.56", 2, "2469.12"),
    ],
)
def test_totals_are_exact_to_the_cent(user, buyer, price, quantity, total):
    fund(buyer, "5000.00")
    product = ProductFactory(seller=user, price=Decimal(price), stock=10)

    purchase = services.product_buy(product=product, buyer=buyer, quantity=quantity)

    purchase.refresh_from_db()
    assert purchase.total == Decimal(total)
    assert balance(buyer) == Decimal("5000.00") - Decimal(total)
    assert balance(user) == Decimal(total)


def test_buy_reads_the_price_from_the_database_not_the_callers_copy(product, buyer):
    Product.objects.filter(pk=product.pk).update(price=Decimal("20.00"))
    product.price = Decimal("0.01")  # a stale or tampered object

    purchase = services.product_buy(product=product, buyer=buyer, quantity=1)

    assert purchase.total == Decimal("20.00")
    assert balance(buyer) == Decimal("80.00")


def test_purchase_keeps_name_and_price_when_the_product_changes_or_goes(product, buyer):
    purchase = services.product_buy(product=product, buyer=buyer, quantity=1)
    services.product_update(product=product, user=product.seller, price=Decimal("99.00"))
    services.product_delete(product=product, user=product.seller)

    purchase.refresh_from_db()
    assert purchase.product is None
    assert purchase.product_name == "Teapot"
    assert purchase.unit_price == Decimal("10.00")
    assert purchase.seller == product.seller


def test_signal_is_sent_once_after_commit_with_the_purchase(
    product, buyer, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    product_purchased.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            purchase = services.product_buy(product=product, buyer=buyer, quantity=1)
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        product_purchased.disconnect(receiver)

    assert len(received) == 1
    sender, kwargs = received[0]
    assert sender is Purchase
    assert kwargs["purchase"] == purchase


def test_no_signal_when_the_purchase_is_refused(product, buyer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Conflict):
        services.product_buy(product=product, buyer=buyer, quantity=6)
    assert callbacks == []


# --- buying: every refusal, and nothing changes ----------------------------------------------


def test_cannot_buy_own_product(product, user):
    fund(user, "100.00")
    with pytest.raises(Conflict) as exc:
        services.product_buy(product=product, buyer=user, quantity=1)
    assert exc.value.code == "own_product"
    assert Product.objects.get(pk=product.pk).stock == 5
    assert balance(user) == Decimal("100.00")
    assert not Purchase.objects.exists()


def test_cannot_buy_an_inactive_product(product, buyer):
    Product.objects.filter(pk=product.pk).update(is_active=False)
    with pytest.raises(Conflict) as exc:
        services.product_buy(product=product, buyer=buyer, quantity=1)
    assert exc.value.code == "inactive"
    assert_nothing_changed(product, buyer)


def test_cannot_buy_a_deleted_product(product, buyer):
    pk = product.pk
    product.delete()
    with pytest.raises(Conflict) as exc:
        services.product_buy(product=pk, buyer=buyer, quantity=1)
    assert exc.value.code == "inactive"
    assert balance(buyer) == Decimal("100.00")
    assert not Purchase.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", "abc", None, True])
def test_quantity_must_be_a_whole_number_of_at_least_one(product, buyer, quantity):
    with pytest.raises(ValidationError) as exc:
        services.product_buy(product=product, buyer=buyer, quantity=quantity)
    assert "quantity" in exc.value.message_dict
    assert_nothing_changed(product, buyer)


@pytest.mark.parametrize("quantity", [6, 10**30])
def test_cannot_buy_more_than_the_stock(product, buyer, quantity):
    with pytest.raises(Conflict) as exc:
        services.product_buy(product=product, buyer=buyer, quantity=quantity)
    assert exc.value.code == "out_of_stock"
    assert "5" in exc.value.message
    assert_nothing_changed(product, buyer)


def test_cannot_buy_a_sold_out_product(product, buyer):
    Product.objects.filter(pk=product.pk).update(stock=0)
    with pytest.raises(Conflict) as exc:
        services.product_buy(product=product, buyer=buyer, quantity=1)
    assert exc.value.code == "out_of_stock"
    assert_nothing_changed(product, buyer, stock=0)


def test_cannot_spend_more_than_the_balance(product, buyer):
    fund(buyer, "29.99")
    with pytest.raises(Conflict) as exc:
        services.product_buy(product=product, buyer=buyer, quantity=3)
    assert exc.value.code == "insufficient_funds"
    assert_nothing_changed(product, buyer, buyer_balance="29.99")


def test_seller_with_a_lower_id_than_the_buyer_is_refused_cleanly_too(buyer):
    # The wallets are updated in user-id order; the refusal must roll back either way.
    seller = UserFactory(username="zed")
    product = ProductFactory(seller=seller, price=Decimal("10.00"), stock=5)
    fund(buyer, "5.00")
    with pytest.raises(Conflict):
        services.product_buy(product=product, buyer=buyer, quantity=1)
    assert balance(seller) == Decimal("0.00")
    assert Product.objects.get(pk=product.pk).stock == 5


def test_anonymous_cannot_buy(product):
    with pytest.raises(PermissionDenied):
        services.product_buy(product=product, buyer=AnonymousUser(), quantity=1)
    assert Product.objects.get(pk=product.pk).stock == 5


def test_buyer_without_a_profile_gets_an_empty_wallet(product, buyer):
    UserProfile.objects.filter(user=buyer).delete()
    with pytest.raises(Conflict) as exc:
        services.product_buy(product=product, buyer=buyer, quantity=1)
    assert exc.value.code == "insufficient_funds"


# --- products --------------------------------------------------------------------------------


def test_create_product(user):
    product = services.product_create(
        seller=user, name="  Lamp ", price=Decimal("12.50"), stock=2, description="Bright"
    )
    assert product.pk
    assert product.name == "Lamp"
    assert product.seller == user
    assert product.is_active


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", Decimal("0")),
        ("price", Decimal("-1.00")),
        ("price", Decimal("1.005")),
        ("name", "x" * 500),
        ("name", "   "),
        ("stock", -1),
    ],
)
def test_create_product_rejects_bad_input(user, field, value):
    data = {"name": "Lamp", "price": Decimal("12.50"), "stock": 2, field: value}
    with pytest.raises(ValidationError) as exc:
        services.product_create(seller=user, **data)
    assert field in exc.value.message_dict
    assert not Product.objects.exists()


def test_anonymous_cannot_create_product(db):
    with pytest.raises(PermissionDenied):
        services.product_create(seller=AnonymousUser(), name="Lamp", price=Decimal(1), stock=1)


def test_seller_updates_only_the_given_fields(product):
    # Someone buys meanwhile: the seller's stale copy must not put the stock back.
    Product.objects.filter(pk=product.pk).update(stock=4)
    services.product_update(product=product, user=product.seller, name="Big teapot")
    product.refresh_from_db()
    assert product.name == "Big teapot"
    assert product.stock == 4


def test_an_unchanged_stock_keeps_what_was_sold_meanwhile(product, buyer):
    services.product_buy(product=product.pk, buyer=buyer, quantity=2)  # product is stale
    updated = services.product_update(
        product=product, user=product.seller, name="Big teapot", stock=5, stock_seen=5
    )
    assert updated.stock == 3
    assert Product.objects.get(pk=product.pk).stock == 3


def test_a_new_stock_is_written_when_nothing_was_sold_meanwhile(product):
    updated = services.product_update(product=product, user=product.seller, stock=9, stock_seen=5)
    assert updated.stock == Product.objects.get(pk=product.pk).stock == 9


def test_a_new_stock_based_on_a_stale_one_is_refused_and_nothing_written(product, buyer):
    services.product_buy(product=product.pk, buyer=buyer, quantity=2)
    with pytest.raises(services.StockChanged) as exc:
        services.product_update(
            product=product, user=product.seller, name="Big teapot", stock=9, stock_seen=5
        )
    assert isinstance(exc.value, Conflict)
    assert (exc.value.code, exc.value.stock) == ("stock_changed", 3)
    assert "the stock is now 3" in exc.value.message
    assert Product.objects.filter(pk=product.pk).values_list("name", "stock").get() == (
        "Teapot",
        3,
    )


def test_a_new_stock_needs_the_stock_it_is_based_on(product):
    with pytest.raises(ValidationError) as exc:
        services.product_update(product=product, user=product.seller, stock=9)
    assert "stock_seen" in exc.value.message_dict
    assert Product.objects.get(pk=product.pk).stock == 5


@pytest.mark.parametrize("stock", [MAX_STOCK + 1, 2**63 - 1])
def test_stock_above_the_limit_is_refused(product, user, stock):
    with pytest.raises(ValidationError) as exc:
        services.product_update(product=product, user=user, stock=stock, stock_seen=5)
    assert exc.value.message_dict["stock"] == [
        "Ensure this value is less than or equal to 2147483647."
    ]
    with pytest.raises(ValidationError):
        services.product_create(seller=user, name="Lamp", price=Decimal(1), stock=stock)


def test_staff_may_moderate_a_product(product, staff_user):
    services.product_update(product=product, user=staff_user, is_active=False)
    assert not Product.objects.get(pk=product.pk).is_active
    services.product_delete(product=product, user=staff_user)
    assert not Product.objects.filter(pk=product.pk).exists()


def test_other_user_cannot_update_or_delete(product, other_user):
    with pytest.raises(PermissionDenied):
        services.product_update(product=product, user=other_user, name="Mine now")
    with pytest.raises(PermissionDenied):
        services.product_delete(product=product, user=other_user)
    product.refresh_from_db()
    assert product.name == "Teapot"


def test_update_rejects_bad_values_and_unknown_fields(product):
    with pytest.raises(ValidationError):
        services.product_update(product=product, user=product.seller, price=Decimal("0"))
    with pytest.raises(TypeError):
        services.product_update(product=product, user=product.seller, seller=None)
    assert Product.objects.get(pk=product.pk).price == Decimal("10.00")


# --- profiles --------------------------------------------------------------------------------


def test_profile_update(user):
    profile = services.profile_update(user=user, display_name=" Alice A. ", bio="Hi")
    assert profile.display_name == "Alice A."
    assert profile.name == "Alice A."
    assert profile.balance == Decimal("0.00")


def test_profile_update_rejects_a_too_long_name(user):
    with pytest.raises(ValidationError):
        services.profile_update(user=user, display_name="x" * 81, bio="")


def test_profile_ensure_is_idempotent(user):
    assert services.profile_ensure(user=user) == services.profile_ensure(user=user)
    assert UserProfile.objects.filter(user=user).count() == 1
