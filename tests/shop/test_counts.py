"""The number of items sold stored on each product stays equal to its purchases."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

from shop import selectors, services
from shop.models import Product, Purchase
from tests.shop.factories import ProductFactory, fund


def fresh(product: Product) -> int:
    return Purchase.objects.filter(product=product).aggregate(n=Sum("quantity"))["n"] or 0


@pytest.mark.django_db
def test_each_purchase_adds_its_quantity(product, buyer):
    services.product_buy(product=product, buyer=buyer, quantity=2)
    services.product_buy(product=product.pk, buyer=buyer, quantity=1)
    product.refresh_from_db()
    assert product.sold == fresh(product) == 3
    assert product.stock == 2
    assert selectors.product_get(pk=product.pk, user=None).sold == 3


@pytest.mark.django_db
def test_a_refused_purchase_counts_nothing(product, other_user):
    fund(other_user, "5.00")  # not enough for one at 10.00
    with pytest.raises(Exception, match="enough money"):
        services.product_buy(product=product, buyer=other_user, quantity=1)
    product.refresh_from_db()
    assert (product.sold, product.stock) == (0, 5)


@pytest.mark.django_db
def test_best_selling_orders_by_the_stored_count(user, buyer):
    slow, fast = ProductFactory(seller=user, stock=9), ProductFactory(seller=user, stock=9)
    services.product_buy(product=slow, buyer=buyer, quantity=1)
    services.product_buy(product=fast, buyer=buyer, quantity=3)
    assert list(selectors.product_list(ordering="popular")[:2]) == [fast, slow]


@pytest.mark.django_db
def test_recount_products_repairs_the_stored_count(product, buyer):
    services.product_buy(product=product, buyer=buyer, quantity=2)
    Product.objects.update(sold=40)
    out = StringIO()
    call_command("recount_products", stdout=out)
    product.refresh_from_db()
    assert product.sold == 2
    assert "Recounted 1 products." in out.getvalue()


@pytest.mark.django_db
def test_database_refuses_a_negative_count(product):
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(sold=-1)


@pytest.mark.django_db(transaction=True)
def test_migration_counts_what_was_sold(user, other_user):
    executor = MigrationExecutor(connection)
    before, after = [("shop", "0004_productphoto")], [("shop", "0005_product_sold")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldProduct = old.get_model("shop", "Product")
        OldPurchase = old.get_model("shop", "Purchase")
        product = OldProduct.objects.create(seller_id=user.pk, name="Old", price=2, stock=1)
        for quantity in (2, 3):
            OldPurchase.objects.create(
                buyer_id=other_user.pk,
                seller_id=user.pk,
                product=product,
                product_name="Old",
                unit_price=2,
                quantity=quantity,
                total=2 * quantity,
            )
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("shop"))
    assert Product.objects.get(pk=product.pk).sold == 5
