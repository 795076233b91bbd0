from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop import services
from shop.models import MAX_STOCK, Product, Purchase, UserProfile
from tests.factories import UserFactory
from tests.shop import images
from tests.shop.factories import CategoryFactory, ProductFactory, balance, fund
from tests.shop.images import upload

HTMX = {"HX-Request": "true"}


def login_target(url: str) -> str:
    """Where a login redirect sends the user back to (asserting it is the login page)."""
    parts = urlsplit(url)
    assert parts.path == reverse("account_login")
    return parse_qs(parts.query)["next"][0]


def buy_url(product) -> str:
    return reverse("shop:product-buy", kwargs={"pk": product.pk})


# --- catalogue -----------------------------------------------------------------------------


def test_catalogue_full_page_and_fragment(client, product):
    page = client.get(reverse("shop:product-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" in html
    assert "Teapot" in html
    assert "$10.00" in html
    assert 'id="results"' in html
    assert "HX-Request" in page["Vary"]

    fragment = client.get(reverse("shop:product-list"), headers=HTMX)
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="results"')
    assert "Teapot" in html
    assert "HX-Request" in fragment["Vary"]


def names(response) -> list[str]:
    return [p.name for p in response.context["page_obj"]]


def test_catalogue_filters_come_from_the_url(client, user):
    books = CategoryFactory(name="Books", slug="books")
    toys = CategoryFactory(name="Toys", slug="toys")
    ProductFactory(seller=user, name="Red book", category=books, price=Decimal("5.00"))
    ProductFactory(seller=user, name="Blue book", category=books, price=Decimal("15.00"), stock=0)
    ProductFactory(seller=user, name="Red ball", category=toys, price=Decimal("25.00"))
    ProductFactory(seller=user, name="Hidden", category=toys, is_active=False)
    url = reverse("shop:product-list")

    assert sorted(names(client.get(url))) == ["Blue book", "Red ball", "Red book"]
    assert sorted(names(client.get(url, {"category": "books"}))) == ["Blue book", "Red book"]
    assert sorted(names(client.get(url, {"q": "red"}))) == ["Red ball", "Red book"]
    assert names(client.get(url, {"min_price": "10", "max_price": "20"})) == ["Blue book"]
    assert sorted(names(client.get(url, {"in_stock": "on"}))) == ["Red ball", "Red book"]
    assert names(client.get(url, {"ordering": "price"})) == ["Red book", "Blue book", "Red ball"]
    assert names(client.get(url, {"ordering": "-price"})) == ["Red ball", "Blue book", "Red book"]


@pytest.mark.django_db
def test_the_filter_form_shows_what_was_asked_and_every_category_as_it_is_now(client):
    """The form is rendered once per version: the values asked for and the categories."""
    from shop.models import Category

    url = reverse("shop:product-list")
    CategoryFactory(name="Books", slug="books")
    assert '<option value="books">Books</option>' in client.get(url).text
    toys = CategoryFactory(name="Toys", slug="toys")
    page = client.get(url).text
    assert '<option value="toys">Toys</option>' in page
    Category.objects.filter(pk=toys.pk).update(name="Games")
    page = client.get(url, {"category": "toys", "q": "red"}).text
    assert '<option value="toys" selected>Games</option>' in page
    assert 'value="red"' in page
    assert 'value="red"' not in client.get(url).text  # the unfiltered form again
    toys.delete()
    assert "Games" not in client.get(url).text


def test_catalogue_ignores_malformed_filters(client, product):
    response = client.get(
        reverse("shop:product-list"),
        {"category": "nope", "min_price": "abc", "ordering": "DROP TABLE", "page": "x"},
    )
    assert response.status_code == 200
    assert names(response) == ["Teapot"]


def test_owner_sees_own_hidden_products_in_the_catalogue(user_client, client, user):
    ProductFactory(seller=user, name="Draft", is_active=False)
    assert names(user_client.get(reverse("shop:product-list"))) == ["Draft"]
    assert names(client.get(reverse("shop:product-list"))) == []


@pytest.mark.parametrize(("page", "expected"), [("1", 1), ("2", 2), ("abc", 1), ("99", 2)])
def test_catalogue_pagination(client, user, page, expected):
    ProductFactory.create_batch(13, seller=user)
    response = client.get(reverse("shop:product-list"), {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == expected
    assert len(response.context["page_obj"]) == (12 if expected == 1 else 1)


def test_pagination_links_keep_the_filters(client, user):
    ProductFactory.create_batch(13, seller=user, name="Cup")
    html = client.get(reverse("shop:product-list"), {"q": "Cup"}).content.decode()
    assert "?q=Cup&amp;page=2" in html


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def add_sold_products(count, *, seller, buyer, photos=0):
    for _ in range(count):
        product = ProductFactory(seller=seller, category=CategoryFactory(), stock=10)
        for _ in range(photos):
            services.product_photo_add(
                product=product, user=seller, image=upload(images.jpeg((64, 48)))
            )
        Purchase.objects.create(
            buyer=buyer,
            seller=seller,
            product=product,
            product_name=product.name,
            unit_price=product.price,
            quantity=1,
            total=product.price,
        )


@pytest.mark.parametrize(
    ("name", "kwargs", "params"),
    [
        ("shop:product-list", {}, {}),
        ("shop:product-list", {}, {"ordering": "popular", "in_stock": "on", "q": "Product"}),
        ("shop:purchase-list", {}, {}),
        ("shop:profile-detail", {"username": "bob"}, {}),
    ],
)
def test_lists_cost_the_same_queries_for_5_and_50_items(
    user_client, user, other_user, media_root, name, kwargs, params
):
    url = reverse(name, kwargs=kwargs)
    add_sold_products(5, seller=other_user, buyer=user, photos=1)
    with_five = count_queries(user_client, url, params)
    add_sold_products(45, seller=other_user, buyer=user, photos=2)
    assert count_queries(user_client, url, params) == with_five


def test_sales_list_costs_the_same_queries_for_5_and_50_items(other_client, user, other_user):
    url = reverse("shop:sale-list")
    add_sold_products(5, seller=other_user, buyer=user)
    with_five = count_queries(other_client, url)
    add_sold_products(45, seller=other_user, buyer=user)
    assert count_queries(other_client, url) == with_five


def test_catalogue_query_budget(client, user, media_root):
    add_sold_products(30, seller=user, buyer=UserFactory(), photos=1)
    # count, the page (sellers, profiles, categories and sales joined in), the page's photos,
    # category filter; the base template's own queries come on top.
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("shop:product-list"))
    assert page.text.count('class="product-thumb"') == 12
    shop_queries = [q["sql"] for q in queries if '"shop_' in q["sql"]]
    assert len(shop_queries) == 4, shop_queries


# --- product page and buying ---------------------------------------------------------------


def test_product_page_full_and_fragment(client, product):
    page = client.get(product.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert '<h1 class="product-name">Teapot</h1>' in html
    assert 'id="buy"' in html
    assert 'hx-post="/shop/products/' in html
    assert f'action="{buy_url(product)}"' in html

    fragment = client.get(product.get_absolute_url(), headers=HTMX)
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="buy"')
    assert "<h1" not in html


def test_product_page_404(client, db):
    assert client.get(reverse("shop:product-detail", kwargs={"pk": 999})).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [("client", 404), ("user_client", 200), ("other_client", 404), ("staff_client", 200)],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_off_sale_product_page_is_only_for_its_seller_and_staff(
    request, product, who, expected, headers
):
    Product.objects.filter(pk=product.pk).update(is_active=False)
    client = request.getfixturevalue(who)
    response = client.get(product.get_absolute_url(), headers=headers)
    assert response.status_code == expected
    if expected == 200:
        assert "This product is not for sale at the moment." in response.content.decode()


def test_buying_a_product_taken_off_sale_plain_answers_as_if_it_were_gone(
    other_client, buyer, product
):
    Product.objects.filter(pk=product.pk).update(is_active=False)
    response = other_client.post(buy_url(product), {"quantity": "1"}, follow=True)
    assert response.redirect_chain == [(reverse("shop:product-list"), 302)]
    assert "This product is no longer for sale." in response.content.decode()
    assert balance(buyer) == Decimal("100.00")


def test_buying_a_product_taken_off_sale_htmx_shows_nothing_of_it(other_client, buyer, product):
    Product.objects.filter(pk=product.pk).update(is_active=False)
    response = other_client.post(buy_url(product), {"quantity": "1"}, headers=HTMX)
    html = response.content.decode()
    assert "This product is no longer for sale." in html
    assert "stock-count" not in html
    assert not Purchase.objects.exists()


def test_staff_buying_an_off_sale_product_is_told_so_on_its_page(staff_client, staff_user, product):
    fund(staff_user, "100.00")
    Product.objects.filter(pk=product.pk).update(is_active=False)
    response = staff_client.post(buy_url(product), {"quantity": "1"})
    assert response.status_code == 409
    html = response.content.decode()
    assert '<h1 class="product-name">Teapot</h1>' in html
    assert "This product is no longer for sale." in html
    assert not Purchase.objects.exists()


def test_sold_out_product_shows_no_buy_form(client, product):
    Product.objects.filter(pk=product.pk).update(stock=0)
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Sold out" in html
    assert 'name="quantity"' not in html


def test_seller_sees_edit_links_and_no_buy_form(user_client, product):
    html = user_client.get(product.get_absolute_url()).content.decode()
    assert reverse("shop:product-update", kwargs={"pk": product.pk}) in html
    assert "This is your product." in html
    assert 'name="quantity"' not in html


def test_htmx_buy_swaps_stock_balance_and_receipt(other_client, buyer, product):
    response = other_client.post(buy_url(product), {"quantity": "2"}, headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="buy"')
    assert '<strong class="stock-count">3</strong>' in html
    assert '<strong class="balance-amount">$80.00</strong>' in html
    assert '<dd class="receipt-total">$20.00</dd>' in html
    assert balance(buyer) == Decimal("80.00")
    assert Purchase.objects.get().quantity == 2


def test_plain_buy_redirects_to_the_product_with_a_message(other_client, buyer, product):
    response = other_client.post(buy_url(product), {"quantity": "1"}, follow=True)

    assert response.redirect_chain == [(product.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "You bought Teapot (1) for $10.00." in html
    assert '<strong class="stock-count">4</strong>' in html


def test_anonymous_plain_buy_goes_to_login(client, product):
    response = client.post(buy_url(product), {"quantity": "1"})
    assert response.status_code == 302
    assert login_target(response["Location"]) == product.get_absolute_url()
    assert not Purchase.objects.exists()


def test_anonymous_htmx_buy_redirects_the_browser_to_login(client, product):
    response = client.post(buy_url(product), {"quantity": "1"}, headers=HTMX)
    assert response.status_code == 200
    assert login_target(response["HX-Redirect"]) == product.get_absolute_url()
    assert not Purchase.objects.exists()


def test_buy_is_post_only(other_client, product):
    assert other_client.get(buy_url(product)).status_code == 405


BAD_QUANTITIES = [
    ("0", "Buy at least one."),
    ("-1", "Buy at least one."),
    ("1.5", "Enter a whole number."),
    ("abc", "Enter a whole number."),
    ("", "Enter how many you want."),
    ("6", "Only 5 left in stock."),
    ("9" * 30, "Ensure this value is less than or equal to 1000000."),
]


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
def test_htmx_bad_quantity_shows_the_reason_in_the_fragment(
    other_client, buyer, product, quantity, message
):
    response = other_client.post(buy_url(product), {"quantity": quantity}, headers=HTMX)

    assert response.status_code == 200  # htmx swaps only successful responses
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="buy"')
    assert message in html
    assert balance(buyer) == Decimal("100.00")
    assert Product.objects.get(pk=product.pk).stock == 5
    assert not Purchase.objects.exists()


@pytest.mark.parametrize(("quantity", "message"), BAD_QUANTITIES)
def test_plain_bad_quantity_shows_the_reason_in_the_form(
    other_client, buyer, product, quantity, message
):
    response = other_client.post(buy_url(product), {"quantity": quantity})

    assert response.status_code in {400, 409}
    html = response.content.decode()
    assert "<html" in html
    assert message in html
    assert Product.objects.get(pk=product.pk).stock == 5
    assert not Purchase.objects.exists()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("poor", "You do not have enough money for this."),
        ("inactive", "This product is no longer for sale."),
        ("sold_out", "Sorry, this product is sold out."),
    ],
)
def test_refusals_are_shown_in_the_fragment(other_client, buyer, product, setup, message):
    if setup == "poor":
        fund(buyer, "9.99")
    elif setup == "inactive":
        Product.objects.filter(pk=product.pk).update(is_active=False)
    else:
        Product.objects.filter(pk=product.pk).update(stock=0)

    response = other_client.post(buy_url(product), {"quantity": "1"}, headers=HTMX)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Purchase.objects.exists()


def test_buying_own_product_is_refused(user_client, user, product):
    fund(user, "100.00")
    response = user_client.post(buy_url(product), {"quantity": "1"}, headers=HTMX)
    assert "You cannot buy your own product." in response.content.decode()
    assert not Purchase.objects.exists()


def test_buying_a_deleted_product_htmx_says_so(other_client, buyer, product):
    url = buy_url(product)
    product.delete()
    response = other_client.post(url, {"quantity": "1"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This product is no longer for sale." in html
    assert balance(buyer) == Decimal("100.00")


def test_buying_a_deleted_product_plain_goes_to_the_shop_with_a_message(
    other_client, buyer, product
):
    url = buy_url(product)
    product.delete()
    response = other_client.post(url, {"quantity": "1"}, follow=True)
    assert response.redirect_chain == [(reverse("shop:product-list"), 302)]
    assert "This product is no longer for sale." in response.content.decode()
    assert balance(buyer) == Decimal("100.00")


# --- create, edit, delete: who may -----------------------------------------------------------


PRODUCT_DATA = {
    "name": "Lamp",
    "description": "Bright",
    "price": "12.50",
    "stock": "3",
    "category": "",
    "is_active": "on",
}


def test_create_product(user_client, user):
    response = user_client.post(reverse("shop:product-create"), PRODUCT_DATA)
    product = Product.objects.get()
    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()
    assert product.seller == user
    assert product.price == Decimal("12.50")


def test_create_form_page(user_client):
    response = user_client.get(reverse("shop:product-create"))
    assert response.status_code == 200
    assert 'name="price"' in response.content.decode()


def test_anonymous_create_goes_to_login(client, db):
    response = client.get(reverse("shop:product-create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0", "Ensure this value is greater than or equal to 0.01."),
        ("price", "-5", "Ensure this value is greater than or equal to 0.01."),
        ("price", "1.005", "Ensure that there are no more than 2 decimal places."),
        ("price", "abc", "Enter a number."),
        ("name", "x" * 500, "Ensure this value has at most 200 characters (it has 500)."),
        ("stock", "-1", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_create_product_bad_input(user_client, field, value, message):
    response = user_client.post(reverse("shop:product-create"), {**PRODUCT_DATA, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("client", 302), ("user_client", 200), ("other_client", 403), ("staff_client", 200)],
)
@pytest.mark.parametrize("action", ["shop:product-update", "shop:product-delete"])
def test_edit_and_delete_pages_permission_matrix(request, product, who, expected, action):
    client = request.getfixturevalue(who)
    response = client.get(reverse(action, kwargs={"pk": product.pk}))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("who", "expected", "changed"),
    [
        ("client", 302, False),
        ("user_client", 302, True),
        ("other_client", 403, False),
        ("staff_client", 302, True),
    ],
)
def test_edit_permission_matrix(request, product, who, expected, changed):
    client = request.getfixturevalue(who)
    data = {**PRODUCT_DATA, "name": "Renamed", "stock_seen": "5"}
    response = client.post(reverse("shop:product-update", kwargs={"pk": product.pk}), data)
    assert response.status_code == expected
    assert (Product.objects.get(pk=product.pk).name == "Renamed") is changed


@pytest.mark.parametrize(
    ("who", "expected", "deleted"),
    [
        ("client", 302, False),
        ("user_client", 302, True),
        ("other_client", 403, False),
        ("staff_client", 302, True),
    ],
)
def test_delete_permission_matrix(request, product, who, expected, deleted):
    client = request.getfixturevalue(who)
    response = client.post(reverse("shop:product-delete", kwargs={"pk": product.pk}))
    assert response.status_code == expected
    assert (not Product.objects.filter(pk=product.pk).exists()) is deleted


def edit(client, product, **data):
    url = reverse("shop:product-update", kwargs={"pk": product.pk})
    return client.post(url, {**PRODUCT_DATA, "price": "10.00", **data})


def test_edit_keeps_a_stock_changed_by_a_purchase_meanwhile(user_client, product):
    # The seller opened the form at stock 5, a buyer took one, the seller only renamed.
    Product.objects.filter(pk=product.pk).update(stock=4)
    response = edit(user_client, product, name="Renamed", stock="5", stock_seen="5")
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "Renamed"
    assert product.stock == 4


def test_edit_refuses_a_new_stock_based_on_a_stale_one(user_client, product):
    Product.objects.filter(pk=product.pk).update(stock=4)
    response = edit(user_client, product, stock="8", stock_seen="5")
    assert response.status_code == 400
    assert "the stock is now 4" in response.content.decode()
    assert Product.objects.get(pk=product.pk).stock == 4
    # The form now shows the current stock, so saving again goes through.
    assert edit(user_client, product, stock="8", stock_seen="4").status_code == 302
    assert Product.objects.get(pk=product.pk).stock == 8


def test_edit_keeps_a_stock_sold_while_the_form_was_open(user_client, product, other_user):
    page = user_client.get(reverse("shop:product-update", kwargs={"pk": product.pk}))
    assert page.context["form"]["stock_seen"].value() == 5
    fund(other_user, "100.00")
    services.product_buy(product=product, buyer=other_user, quantity=2)
    # The seller saves the form as drawn (stock 5 seen, 5 shown) with a new name.
    assert edit(user_client, product, name="Renamed", stock="5", stock_seen="5").status_code == 302
    assert Product.objects.get(pk=product.pk).stock == 3


def test_edit_without_the_stock_it_was_based_on_is_refused(user_client, product):
    response = edit(user_client, product, stock="8")
    assert response.status_code == 400
    assert Product.objects.get(pk=product.pk).stock == 5


@pytest.mark.parametrize("stock", [MAX_STOCK + 1, 9_223_372_036_854_775_807, 10**30])
@pytest.mark.parametrize("action", ["create", "edit"])
def test_the_form_refuses_a_stock_above_the_api_limit(user_client, product, action, stock):
    if action == "create":
        response = user_client.post(
            reverse("shop:product-create"), {**PRODUCT_DATA, "stock": str(stock)}
        )
    else:
        response = edit(user_client, product, stock=str(stock), stock_seen="5")
    assert response.status_code == 400
    assert response.context["form"].errors["stock"] == [
        "Ensure this value is less than or equal to 2147483647."
    ]
    assert list(Product.objects.values_list("stock", flat=True)) == [5]


def test_the_form_takes_the_largest_stock(user_client, product):
    assert edit(user_client, product, stock=str(MAX_STOCK), stock_seen="5").status_code == 302
    assert Product.objects.get(pk=product.pk).stock == MAX_STOCK


def test_edit_with_bad_input_changes_nothing(user_client, product):
    data = {**PRODUCT_DATA, "price": "0"}
    response = user_client.post(reverse("shop:product-update", kwargs={"pk": product.pk}), data)
    assert response.status_code == 400
    assert Product.objects.get(pk=product.pk).price == Decimal("10.00")


def test_deleted_product_stays_in_the_buyers_history(other_client, buyer, product, user_client):
    other_client.post(buy_url(product), {"quantity": "1"})
    user_client.post(reverse("shop:product-delete", kwargs={"pk": product.pk}))

    html = other_client.get(reverse("shop:purchase-list")).content.decode()
    assert "Teapot" in html
    assert "removed" in html
    sales = user_client.get(reverse("shop:sale-list")).content.decode()
    assert "Teapot" in sales
    assert "$10.00" in sales


# --- purchases, sales and profiles ---------------------------------------------------------


def test_purchase_and_sale_lists(other_client, user_client, buyer, product):
    other_client.post(buy_url(product), {"quantity": "3"})

    purchases = other_client.get(reverse("shop:purchase-list"))
    assert purchases.status_code == 200
    assert "$30.00" in purchases.content.decode()
    sales = user_client.get(reverse("shop:sale-list"))
    assert sales.status_code == 200
    assert '<strong class="sales-total">$30.00</strong>' in sales.content.decode()
    # Each sees only their own side.
    assert list(user_client.get(reverse("shop:purchase-list")).context["page_obj"]) == []


@pytest.mark.parametrize("name", ["shop:purchase-list", "shop:sale-list", "shop:profile-me"])
def test_own_pages_need_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_own_profile_shows_the_balance_and_saves_the_form(user_client, user):
    fund(user, "1234.5")
    page = user_client.get(reverse("shop:profile-me"))
    assert '<strong class="balance-amount">$1,234.50</strong>' in page.content.decode()

    response = user_client.post(
        reverse("shop:profile-me"), {"display_name": "Alice A.", "bio": "Sells teapots."}
    )
    assert response.status_code == 302
    profile = UserProfile.objects.get(user=user)
    assert profile.name == "Alice A."
    assert profile.balance == Decimal("1234.50")


def test_own_profile_cannot_change_the_balance(user_client, user):
    user_client.post(
        reverse("shop:profile-me"), {"display_name": "A", "bio": "", "balance": "1000000"}
    )
    assert balance(user) == Decimal("0.00")


def test_own_profile_rejects_a_long_name(user_client, user):
    response = user_client.post(reverse("shop:profile-me"), {"display_name": "x" * 500, "bio": ""})
    assert response.status_code == 400
    assert UserProfile.objects.get(user=user).display_name == ""


def test_public_profile_shows_the_users_products(client, product):
    UserProfile.objects.filter(user=product.seller).update(display_name="Alice A.", bio="Hello")
    response = client.get(reverse("shop:profile-detail", kwargs={"username": "alice"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice A." in html
    assert "Hello" in html
    assert "Teapot" in html
    assert "$" not in html.split("Teapot")[0].split("</h1>")[0]  # no balance in public

    fragment = client.get(
        reverse("shop:profile-detail", kwargs={"username": "alice"}), headers=HTMX
    )
    assert fragment.content.decode().lstrip().startswith('<div id="profile-products"')


def test_public_profile_404(client, db):
    response = client.get(reverse("shop:profile-detail", kwargs={"username": "nobody"}))
    assert response.status_code == 404


def test_nav_links_to_the_own_profile(user_client):
    html = user_client.get(reverse("shop:product-list")).content.decode()
    assert f'<a href="{reverse("shop:profile-me")}" class="nav-profile">' in html


def test_htmx_history_restore_gets_the_full_page(client, product):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    response = client.get(reverse("shop:product-list"), headers=headers)
    assert "<html" in response.content.decode()


def test_edit_form_carries_the_stock_it_shows(user_client, product):
    html = user_client.get(reverse("shop:product-update", kwargs={"pk": product.pk})).content
    assert b'type="hidden" name="stock_seen" value="5"' in html


def test_public_profile_lists_the_users_recent_posts(client, user):
    from blog.services import post_create

    for i in range(7):
        post_create(author=user, title=f"Post number {i}", content="x")
    page = client.get(f"/shop/u/{user.username}/").text
    assert "Post number 6" in page and "Post number 2" in page
    assert "Post number 1" not in page  # the five newest, then a link to all
    assert f'href="/authors/{user.username}/"' in page


def test_htmx_buy_also_updates_the_sales_line_out_of_band(client, user, other_user):
    from tests.shop.factories import ProductFactory, fund

    product = ProductFactory(seller=other_user, price="5.00", stock=4)
    fund(user, "50.00")
    client.force_login(user)
    response = client.post(
        f"/shop/products/{product.pk}/buy/", {"quantity": "2"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    oob = response.text.split('id="product-sales"', 1)[1]
    assert oob.startswith(' hx-swap-oob="true"')
    assert "2 sold" in oob
    assert f'href="/shop/u/{user.username}/"' in oob
    page = client.get(f"/shop/products/{product.pk}/")
    assert 'id="product-sales" hx-swap-oob' not in page.text  # the page itself is plain
