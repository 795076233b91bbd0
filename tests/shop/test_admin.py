from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shop import services
from tests.shop.factories import ProductFactory


@pytest.fixture
def admin_client(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    return client


@pytest.fixture
def purchase(product, buyer):
    return services.product_buy(product=product, buyer=buyer, quantity=2)


@pytest.mark.parametrize("model", ["product", "category", "purchase", "userprofile"])
def test_changelists_open(admin_client, purchase, model):
    response = admin_client.get(reverse(f"admin:shop_{model}_changelist"))
    assert response.status_code == 200


def test_product_changelist_search_and_filter(admin_client, product):
    ProductFactory(name="Kettle")
    url = reverse("admin:shop_product_changelist")
    response = admin_client.get(url, {"q": "Teapot", "is_active__exact": "1"})
    assert response.status_code == 200
    assert [p.name for p in response.context["cl"].result_list] == ["Teapot"]


def test_product_change_page(admin_client, product):
    response = admin_client.get(reverse("admin:shop_product_change", args=[product.pk]))
    assert response.status_code == 200


def test_category_add_page_prepopulates_the_slug(admin_client):
    response = admin_client.get(reverse("admin:shop_category_add"))
    assert response.status_code == 200
    assert "prepopulated" in response.content.decode()


def test_purchases_are_read_only(admin_client, purchase):
    assert admin_client.get(reverse("admin:shop_purchase_add")).status_code == 403
    change = admin_client.get(reverse("admin:shop_purchase_change", args=[purchase.pk]))
    assert change.status_code == 200  # viewable...
    assert b'name="_save"' not in change.content
    response = admin_client.post(
        reverse("admin:shop_purchase_change", args=[purchase.pk]),
        {"quantity": "1", "total": "0.01"},
    )
    assert response.status_code == 403  # ...never changed
    delete = admin_client.post(reverse("admin:shop_purchase_delete", args=[purchase.pk]))
    assert delete.status_code == 403
    purchase.refresh_from_db()
    assert purchase.total == Decimal("20.00")


def test_profile_admin_shows_the_balance(admin_client, buyer):
    response = admin_client.get(reverse("admin:shop_userprofile_changelist"))
    assert "100.00" in response.content.decode()
