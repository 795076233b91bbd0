from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shop import services
from shop.models import Product, ProductPhoto
from tests import spies
from tests.conftest import stored_files
from tests.shop import images
from tests.shop.factories import ProductFactory
from tests.shop.images import upload


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


# Saves and deletes in the admin go through shop.services, as the site's do.


def spy(monkeypatch, name: str) -> list[dict]:
    return spies.spy(monkeypatch, services, name)


def change_data(product, **fields) -> dict:
    """The change form as drawn for `product` (stock_seen: the stock it showed), edited."""
    data = {
        "name": product.name,
        "description": product.description,
        "price": str(product.price),
        "stock": str(product.stock),
        "stock_seen": str(product.stock),
        "category": str(product.category_id),
        "is_active": "on",
    }
    return {**data, **{name: str(value) for name, value in fields.items()}}


def test_product_change_form_carries_the_stock_it_showed(admin_client, product):
    response = admin_client.get(reverse("admin:shop_product_change", args=[product.pk]))
    assert response.context["adminform"].form["stock_seen"].value() == 5
    assert 'type="hidden" name="stock_seen" value="5"' in response.text


@pytest.mark.parametrize("chosen", [False, True])
def test_product_added_in_admin_goes_through_product_create(
    admin_client, user, monkeypatch, chosen
):
    calls = spy(monkeypatch, "product_create")
    assert admin_client.get(reverse("admin:shop_product_add")).status_code == 200
    data = {"seller": str(user.pk) if chosen else "", "name": "  Kettle  ", "description": ""}
    data |= {"price": "12.50", "stock": "3", "category": "", "is_active": "on"}
    response = admin_client.post(reverse("admin:shop_product_add"), data)
    assert response.status_code == 302
    product = Product.objects.get()
    seller = user if chosen else get_user_model().objects.get(username="root")
    assert (product.seller, product.name, product.stock) == (seller, "Kettle", 3)
    assert [call["seller"] for call in calls] == [seller.pk]


def test_product_edit_in_admin_keeps_what_sold_meanwhile(admin_client, product, buyer, monkeypatch):
    calls = spy(monkeypatch, "product_update")
    data = change_data(product, name="Teapot XL")  # drawn with 5 in stock...
    services.product_buy(product=product, buyer=buyer, quantity=2)  # ...then 2 sold
    response = admin_client.post(reverse("admin:shop_product_change", args=[product.pk]), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.stock) == ("Teapot XL", 3)
    assert calls[0]["stock"] == calls[0]["stock_seen"] == 5


def test_stale_stock_change_in_admin_is_a_form_error(admin_client, product, buyer):
    url = reverse("admin:shop_product_change", args=[product.pk])
    data = change_data(product, name="Teapot XL", stock=10)  # based on 5 in stock
    services.product_buy(product=product, buyer=buyer, quantity=2)
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, not a 500
    form = response.context["adminform"].form
    assert form.errors["stock"][0].startswith("Someone bought this product")
    product.refresh_from_db()
    assert (product.name, product.stock) == ("Teapot", 3)  # nothing saved
    # Redrawn, the form has seen the current stock: saving again sets the new number.
    assert form["stock_seen"].value() == "3"
    assert admin_client.post(url, {**data, "stock_seen": "3"}).status_code == 302
    product.refresh_from_db()
    assert (product.name, product.stock) == ("Teapot XL", 10)


def test_stock_change_in_admin_without_a_sale_is_saved(admin_client, product):
    url = reverse("admin:shop_product_change", args=[product.pk])
    assert admin_client.post(url, change_data(product, stock=8)).status_code == 302
    product.refresh_from_db()
    assert product.stock == 8


def test_admin_shows_a_conflict_at_save_time_instead_of_a_500(admin_client, product, monkeypatch):
    def refuse(**kwargs):
        raise services.StockChanged(1)  # as if a sale slipped past the form's check

    monkeypatch.setattr(services, "product_update", refuse)
    url = reverse("admin:shop_product_change", args=[product.pk])
    response = admin_client.post(url, change_data(product, name="Teapot XL"), follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "the stock is now 1" in response.text
    product.refresh_from_db()
    assert product.name == "Teapot"


def test_product_delete_in_admin_goes_through_product_delete(admin_client, product, monkeypatch):
    calls = spy(monkeypatch, "product_delete")
    url = reverse("admin:shop_product_delete", args=[product.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert [call["product"] for call in calls] == [product.pk]
    assert not Product.objects.exists()


def test_bulk_delete_in_admin_goes_through_product_delete(admin_client, monkeypatch):
    calls = spy(monkeypatch, "product_delete")
    doomed = ProductFactory.create_batch(2)
    kept = ProductFactory()
    data = {"action": "delete_selected", "_selected_action": [p.pk for p in doomed], "post": "yes"}
    response = admin_client.post(reverse("admin:shop_product_changelist"), data)
    assert response.status_code == 302
    assert sorted(call["product"] for call in calls) == sorted(p.pk for p in doomed)
    assert list(Product.objects.values_list("pk", flat=True)) == [kept.pk]


# Photos in the admin: added, made main and removed through the services too.


def test_photo_added_in_admin_goes_through_the_service(
    admin_client, media_root, product, monkeypatch
):
    calls = spy(monkeypatch, "product_photo_add")
    url = reverse("admin:shop_productphoto_add")
    assert admin_client.get(url).status_code == 200
    data = {"product": str(product.pk), "image": upload(images.jpeg_with_gps_sideways())}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = ProductPhoto.objects.get()
    assert (photo.product, photo.is_main, photo.width) == (product, True, 300)
    assert [call["product"] for call in calls] == [product.pk]
    changelist = admin_client.get(reverse("admin:shop_productphoto_changelist"))
    assert photo.thumbnail.url in changelist.text
    change = admin_client.get(reverse("admin:shop_productphoto_change", args=[photo.pk]))
    assert change.status_code == 200
    assert photo.thumbnail.url in change.text


def test_a_refused_photo_in_admin_is_a_form_error(admin_client, media_root, product):
    url = reverse("admin:shop_productphoto_add")
    data = {"product": str(product.pk), "image": upload(images.HTML_AS_PNG, "x.png")}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["image"] == ["This file is not a complete JPEG, PNG or WebP image."]
    assert not ProductPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_photos_made_main_and_removed_in_admin_go_through_the_services(
    admin_client, media_root, product, user, monkeypatch, django_capture_on_commit_callbacks
):
    first, second = (
        services.product_photo_add(product=product, user=user, image=upload(images.jpeg()))
        for _ in range(2)
    )
    made_main = spy(monkeypatch, "product_photo_set_main")
    deleted = spy(monkeypatch, "product_photo_delete")
    changelist = reverse("admin:shop_productphoto_changelist")
    action = {"action": "make_main", "_selected_action": [second.pk]}
    assert admin_client.post(changelist, action).status_code == 302
    assert [call["photo"] for call in made_main] == [second.pk]
    assert product.photos.first() == second

    delete = reverse("admin:shop_productphoto_delete", args=[second.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert [call["photo"] for call in deleted] == [second.pk]
    assert list(product.photos.all()) == [first]
    assert ProductPhoto.objects.get().is_main
    assert sorted(stored_files(media_root)) == sorted(first.file_names())
