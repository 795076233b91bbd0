"""The shop's JSON API: products, buying, purchases, sales and profiles."""

from decimal import Decimal

import pytest
from django.test import Client

from shop import selectors, services
from shop.models import MAX_STOCK, Product, Purchase, UserProfile
from tests.apiclient import assert_error, count_queries, send
from tests.factories import UserFactory
from tests.shop.factories import CategoryFactory, ProductFactory, balance, fund, total_money

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "seller", "other", "staff"]
CHANGE_STATUS = {"anonymous": 401, "seller": 200, "other": 403, "staff": 200}
DELETE_STATUS = {"anonymous": 401, "seller": 204, "other": 403, "staff": 204}
NEW_PRODUCT = {"name": "Kettle", "price": "12.50", "stock": 3, "description": "Boils."}


@pytest.fixture
def clients(client, user_client, other_client, staff_client) -> dict[str, Client]:
    return {
        "anonymous": client,
        "seller": user_client,
        "other": other_client,
        "staff": staff_client,
    }


def snapshot() -> tuple:
    """Everything buying could change: stocks, wallets, purchases."""
    return (
        list(Product.objects.order_by("pk").values_list("pk", "stock", "name", "price")),
        list(UserProfile.objects.order_by("pk").values_list("user_id", "balance")),
        Purchase.objects.count(),
    )


# --- the main paths ------------------------------------------------------------------


def test_the_main_paths_answer(client, other_client, product, buyer):
    assert client.get("/api/products/").status_code == 200
    response = send(other_client, "post", f"/api/products/{product.pk}/buy/", {"quantity": 1})
    assert response.status_code == 201


# --- the catalogue -------------------------------------------------------------------


def test_a_product_embeds_seller_and_category(client, user, product):
    user.profile.display_name = "Alice's Teas"
    user.profile.save()
    body = client.get(f"/api/products/{product.pk}/").json()
    assert body["name"] == "Teapot"
    assert body["price"] == "10.00"  # money is a string with two decimals
    assert body["seller"] == {"id": user.pk, "username": "alice", "display_name": "Alice's Teas"}
    assert body["category"] == {
        "id": product.category.pk,
        "name": product.category.name,
        "slug": product.category.slug,
    }
    assert (body["stock"], body["is_sold_out"], body["sold"]) == (5, False, 0)
    assert body["url"] == product.get_absolute_url()


def test_list_filters_like_the_shop_page(client, user):
    books = CategoryFactory(slug="books", name="Books")
    cheap = ProductFactory(name="Cheap book", price=Decimal("2.00"), category=books)
    dear = ProductFactory(name="Dear lamp", price=Decimal("90.00"))
    gone = ProductFactory(name="Sold out lamp", price=Decimal("5.00"), stock=0)
    ProductFactory(name="Hidden lamp", is_active=False)

    def names(query: str) -> list[str]:
        response = client.get(f"/api/products/?{query}")
        assert response.status_code == 200, response.content
        return [p["name"] for p in response.json()["results"]]

    assert set(names("")) == {cheap.name, dear.name, gone.name}
    assert names("q=lamp&ordering=price") == [gone.name, dear.name]
    assert names("category=books") == [cheap.name]
    assert names("category=nothing") == []
    assert names("min_price=3&max_price=50") == [gone.name]
    assert set(names("in_stock=true")) == {cheap.name, dear.name}
    assert names("ordering=-price&limit=1") == [dear.name]


def test_the_seller_sees_their_hidden_products_in_the_list(user_client, client, user):
    ProductFactory(seller=user, name="Draft", is_active=False)
    assert [p["name"] for p in user_client.get("/api/products/").json()["results"]] == ["Draft"]
    assert client.get("/api/products/").json()["count"] == 0


@pytest.mark.parametrize(
    "query", ["min_price=abc", "max_price=-1", "ordering=random", "limit=101", "offset=-1"]
)
def test_bad_filters_are_422(client, query):
    error = assert_error(client.get(f"/api/products/?{query}"), 422, "invalid")
    assert query.split("=")[0] in error["fields"]


def make_sales(n: int) -> None:
    sellers = UserFactory.create_batch(3)
    buyers = UserFactory.create_batch(2)
    for i in range(n):
        product = ProductFactory(seller=sellers[i % 3], category=CategoryFactory())
        for buyer in buyers:
            Purchase.objects.create(
                buyer=buyer,
                seller=product.seller,
                product=product,
                product_name=product.name,
                unit_price=product.price,
                quantity=1,
                total=product.price,
            )


@pytest.mark.parametrize("who", ["anonymous", "seller"])
def test_the_product_list_costs_the_same_for_5_or_50(clients, who):
    make_sales(5)
    few = count_queries(clients[who], "/api/products/?limit=100")
    make_sales(45)
    assert count_queries(clients[who], "/api/products/?limit=100") == few
    # The session and the user (signed in), the count, the page, the page's photos.
    assert few <= 5


def test_purchases_sales_and_categories_cost_the_same_for_5_or_50(client, user):
    client.force_login(user)

    def bought_and_sold(n: int) -> None:
        for _ in range(n):
            mine = ProductFactory(seller=user)
            theirs = ProductFactory()
            for product, buyer, seller in ((mine, UserFactory(), user), (theirs, user, None)):
                Purchase.objects.create(
                    buyer=buyer,
                    seller=seller or product.seller,
                    product=product,
                    product_name=product.name,
                    unit_price=product.price,
                    quantity=1,
                    total=product.price,
                )

    # Full pages both times (a last page needs no count: config.apikit.Page).
    urls = ["/api/purchases/?limit=5", "/api/sales/?limit=5", "/api/categories/?limit=5"]
    bought_and_sold(5)
    few = [count_queries(client, url) for url in urls]
    bought_and_sold(45)
    assert [count_queries(client, url) for url in urls] == few
    assert client.get(urls[0]).json()["count"] == 50


# --- writing products ----------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_signed_in_users_put_products_on_sale(clients, who):
    books = CategoryFactory(slug="books")
    response = send(clients[who], "post", "/api/products/", {**NEW_PRODUCT, "category": "books"})
    if who == "anonymous":
        assert_error(response, 401, "not_authenticated")
        assert not Product.objects.exists()
        return
    assert response.status_code == 201, response.content
    product = Product.objects.get()
    assert response.json()["id"] == product.pk
    assert (product.price, product.stock, product.category) == (Decimal("12.50"), 3, books)
    assert response.json()["seller"]["username"] == product.seller.username


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_PRODUCT, "price": "0"}, "price"),
        ({**NEW_PRODUCT, "price": "-5"}, "price"),
        ({**NEW_PRODUCT, "price": "1.234"}, "price"),
        ({**NEW_PRODUCT, "price": "12345678901234"}, "price"),
        ({**NEW_PRODUCT, "price": "NaN"}, "price"),
        ({**NEW_PRODUCT, "stock": -1}, "stock"),
        ({**NEW_PRODUCT, "stock": 10**30}, "stock"),
        ({**NEW_PRODUCT, "stock": "many"}, "stock"),
        ({**NEW_PRODUCT, "name": ""}, "name"),
        ({**NEW_PRODUCT, "name": "x\x00"}, "name"),
        ({**NEW_PRODUCT, "category": "no-such"}, "category"),
        ({**NEW_PRODUCT, "seller": 1}, "seller"),
        ({"price": "1.00"}, "name"),
    ],
)
def test_invalid_products_are_422_naming_the_field(user_client, body, field):
    error = assert_error(send(user_client, "post", "/api/products/", body), 422)
    assert field in error["fields"], error
    assert not Product.objects.exists()


@pytest.mark.parametrize("who", ROLES)
def test_anybody_reads_a_product(clients, product, who):
    assert clients[who].get(f"/api/products/{product.pk}/").status_code == 200
    assert_error(clients[who].get("/api/products/99999/"), 404, "not_found")


SEES_OFF_SALE = {"anonymous": False, "seller": True, "other": False, "staff": True}


@pytest.mark.parametrize("who", ROLES)
def test_an_off_sale_product_is_seen_only_by_its_seller_and_staff(clients, product, who):
    Product.objects.filter(pk=product.pk).update(is_active=False)
    response = clients[who].get(f"/api/products/{product.pk}/")
    if SEES_OFF_SALE[who]:
        assert response.status_code == 200
        assert response.json()["is_active"] is False
    else:
        assert_error(response, 404, "not_found")


@pytest.mark.parametrize("who", ROLES)
def test_buying_an_off_sale_product_is_409_for_who_sees_it_and_404_for_the_rest(
    clients, product, staff_user, other_user, who
):
    fund(other_user, "100")
    fund(staff_user, "100")
    Product.objects.filter(pk=product.pk).update(is_active=False)
    before = snapshot()
    response = clients[who].generic("POST", f"/api/products/{product.pk}/buy/")
    expected = {"anonymous": (401, None), "seller": (409, "inactive")}
    expected |= {"other": (404, "not_found"), "staff": (409, "inactive")}
    assert_error(response, *expected[who])
    assert snapshot() == before


def test_nobody_else_can_tell_an_off_sale_product_from_a_missing_one(other_client, product):
    Product.objects.filter(pk=product.pk).update(is_active=False)
    url = f"/api/products/{product.pk}/"
    for response in (
        other_client.get(url),
        send(other_client, "patch", url, {"name": "Mine"}),
        other_client.delete(url),
    ):
        assert_error(response, 404, "not_found")
    assert Product.objects.get(pk=product.pk).name == "Teapot"


@pytest.mark.parametrize("who", ROLES)
def test_put_by_seller_or_staff_only(clients, product, who):
    body = {**NEW_PRODUCT, "category": None, "is_active": False, "stock_seen": 5}
    response = send(clients[who], "put", f"/api/products/{product.pk}/", body)
    assert response.status_code == CHANGE_STATUS[who], response.content
    product.refresh_from_db()
    if CHANGE_STATUS[who] == 200:
        assert (product.name, product.stock, product.category, product.is_active) == (
            "Kettle",
            3,
            None,
            False,
        )
        assert response.json()["category"] is None
    else:
        assert product.name == "Teapot"


@pytest.mark.parametrize("who", ROLES)
def test_patch_writes_only_the_fields_sent(clients, product, who):
    # A purchase lowered the stock after the client read it: a name change keeps it.
    Product.objects.filter(pk=product.pk).update(stock=2)
    response = send(clients[who], "patch", f"/api/products/{product.pk}/", {"name": "Big teapot"})
    assert response.status_code == CHANGE_STATUS[who]
    product.refresh_from_db()
    assert product.stock == 2
    assert product.name == ("Big teapot" if CHANGE_STATUS[who] == 200 else "Teapot")


def test_patch_category_by_slug_or_null(user_client, product):
    CategoryFactory(slug="kitchen")
    url = f"/api/products/{product.pk}/"
    assert send(user_client, "patch", url, {"category": "kitchen"}).json()["category"]["slug"] == (
        "kitchen"
    )
    assert send(user_client, "patch", url, {"category": None}).json()["category"] is None
    assert_error(send(user_client, "patch", url, {"price": None}), 422, "invalid")
    assert_error(send(user_client, "patch", url, {"stock": -3}), 422, "invalid")
    product.refresh_from_db()
    assert (product.category, product.price, product.stock) == (None, Decimal("10.00"), 5)


def sell_one(product) -> None:
    """Somebody buys one of `product`, as if while its seller was editing it."""
    buyer = UserFactory()
    fund(buyer, "1000")
    services.product_buy(product=product.pk, buyer=buyer, quantity=1)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_unchanged_stock_keeps_what_was_sold_meanwhile(user_client, product, method):
    seen = user_client.get(f"/api/products/{product.pk}/").json()["stock"]
    sell_one(product)
    body = {"name": "Big teapot", "price": "10.00", "stock": seen, "stock_seen": seen}
    response = send(user_client, method, f"/api/products/{product.pk}/", body)
    assert response.status_code == 200, response.content
    assert response.json()["stock"] == 4
    product.refresh_from_db()
    assert (product.name, product.stock) == ("Big teapot", 4)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_new_stock_based_on_a_stale_one_is_409(user_client, product, method):
    url = f"/api/products/{product.pk}/"
    sell_one(product)
    body = {"name": "Big teapot", "price": "10.00", "stock": 8, "stock_seen": 5}
    error = assert_error(send(user_client, method, url, body), 409, "stock_changed")
    assert "the stock is now 4" in error["message"]
    product.refresh_from_db()
    assert (product.name, product.stock) == ("Teapot", 4)  # nothing of the edit is written
    # Based on the stock the 409 named, the same edit goes through.
    response = send(user_client, method, url, {**body, "stock_seen": 4})
    assert response.status_code == 200, response.content
    assert response.json()["stock"] == 8


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("patch", {"stock": 8}),
        ("put", {"name": "Teapot", "price": "10.00", "stock": 8}),
        ("put", {"name": "Teapot", "price": "10.00"}),
    ],
)
def test_a_stock_must_say_which_stock_it_is_based_on(user_client, product, method, body):
    response = send(user_client, method, f"/api/products/{product.pk}/", body)
    error = assert_error(response, 422, "invalid")
    assert "stock_seen" in error["fields"]
    assert Product.objects.get(pk=product.pk).stock == 5


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_the_largest_stock_the_api_returns_can_be_sent_back(user_client, product, method):
    url = "/api/products/" if method == "post" else f"/api/products/{product.pk}/"
    body = {**NEW_PRODUCT, "stock": MAX_STOCK, "stock_seen": product.stock}
    if method == "post":
        del body["stock_seen"]
    response = send(user_client, method, url, body)
    assert response.status_code in {200, 201}, response.content
    returned = response.json()
    assert returned["stock"] == MAX_STOCK
    url = f"/api/products/{returned['id']}/"
    again = {**NEW_PRODUCT, "stock": returned["stock"], "stock_seen": returned["stock"]}
    assert send(user_client, "put", url, again).status_code == 200

    too_many = {**again, "stock": MAX_STOCK + 1}
    error = assert_error(send(user_client, "put", url, too_many), 422, "invalid")
    assert error["fields"]["stock"] == ["Ensure this value is less than or equal to 2147483647."]


@pytest.mark.parametrize("who", ROLES)
def test_delete_by_seller_or_staff_only(clients, product, who):
    response = clients[who].delete(f"/api/products/{product.pk}/")
    assert response.status_code == DELETE_STATUS[who]
    assert Product.objects.filter(pk=product.pk).exists() == (DELETE_STATUS[who] != 204)


# --- buying --------------------------------------------------------------------------


def test_buying_returns_the_purchase_and_moves_the_money(other_client, user, product, buyer):
    before = total_money()
    response = send(other_client, "post", f"/api/products/{product.pk}/buy/", {"quantity": 3})
    assert response.status_code == 201, response.content
    purchase = Purchase.objects.get()
    assert response.json() == {
        "id": purchase.pk,
        "product_id": product.pk,
        "product_name": "Teapot",
        "seller": {"id": user.pk, "username": "alice", "display_name": "alice"},
        "unit_price": "10.00",
        "quantity": 3,
        "total": "30.00",
        "created": response.json()["created"],
        "balance": "70.00",
    }
    product.refresh_from_db()
    assert product.stock == 2
    assert (balance(buyer), balance(user)) == (Decimal("70.00"), Decimal("30.00"))
    assert total_money() == before


def test_buying_without_a_body_buys_one(other_client, product, buyer):
    response = other_client.generic("POST", f"/api/products/{product.pk}/buy/")
    assert response.status_code == 201
    assert response.json()["quantity"] == 1


@pytest.mark.parametrize("who", ROLES)
def test_who_may_buy(clients, product, staff_user, other_user, who):
    fund(other_user, "100")
    fund(staff_user, "100")
    response = clients[who].generic("POST", f"/api/products/{product.pk}/buy/")
    expected = {"anonymous": 401, "seller": 409, "other": 201, "staff": 201}[who]
    assert response.status_code == expected
    if who == "seller":
        assert_error(response, 409, "own_product")


@pytest.mark.parametrize(
    ("setup", "quantity", "code"),
    [
        (lambda p: None, 6, "out_of_stock"),
        (lambda p: Product.objects.filter(pk=p.pk).update(stock=0), 1, "out_of_stock"),
        (lambda p: Product.objects.filter(pk=p.pk).update(price=Decimal("500")), 1, None),
    ],
    ids=["short", "sold out", "too dear"],
)
def test_refused_purchases_are_409_and_change_nothing(
    other_client, product, buyer, setup, quantity, code
):
    setup(product)
    before = snapshot()
    response = send(
        other_client, "post", f"/api/products/{product.pk}/buy/", {"quantity": quantity}
    )
    assert_error(response, 409, code or "insufficient_funds")
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {"quantity": 0},
        {"quantity": -1},
        {"quantity": 10**40},
        {"quantity": "2"},
        {"quantity": 1.5},
        {"quantity": True},
        {"quantity": None},
        {"quantity": 1, "price": "0.01"},
        [1],
    ],
)
def test_bad_quantities_are_422_and_change_nothing(other_client, product, buyer, body):
    before = snapshot()
    response = send(other_client, "post", f"/api/products/{product.pk}/buy/", body)
    error = assert_error(response, 422, "invalid")
    if isinstance(body, dict):
        assert set(body) & set(error["fields"])
    assert snapshot() == before


def test_buying_a_missing_product_is_404(other_client, buyer):
    assert_error(other_client.generic("POST", "/api/products/4242/buy/"), 404, "not_found")
    assert_error(other_client.generic("POST", f"/api/products/{2**64}/buy/"), 404, "not_found")


# --- purchases and sales -------------------------------------------------------------


def test_purchases_and_sales_are_the_callers_own(user_client, other_client, product, buyer):
    other_client.generic("POST", f"/api/products/{product.pk}/buy/")
    ProductFactory()  # somebody else's shop
    bought = other_client.get("/api/purchases/").json()
    assert bought["count"] == 1
    assert bought["results"][0]["seller"]["username"] == "alice"
    assert bought["results"][0]["total"] == "10.00"
    sold = user_client.get("/api/sales/").json()
    assert sold["count"] == 1
    assert sold["results"][0]["buyer"]["username"] == "bob"
    assert user_client.get("/api/purchases/").json()["count"] == 0
    assert other_client.get("/api/sales/").json()["count"] == 0


def test_a_deleted_product_stays_in_the_history(user_client, other_client, product, buyer):
    other_client.generic("POST", f"/api/products/{product.pk}/buy/")
    user_client.delete(f"/api/products/{product.pk}/")
    item = other_client.get("/api/purchases/").json()["results"][0]
    assert (item["product_id"], item["product_name"]) == (None, "Teapot")


@pytest.mark.parametrize("url", ["/api/purchases/", "/api/sales/", "/api/profiles/me/"])
def test_own_lists_need_a_user(client, url):
    assert_error(client.get(url), 401, "not_authenticated")


# --- profiles and categories ---------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_public_profiles_never_show_the_balance(clients, user, who):
    fund(user, "55.00")
    user.profile.bio = "Teas."
    user.profile.save()
    response = clients[who].get("/api/profiles/alice/")
    assert response.status_code == 200
    body = response.json()
    assert "balance" not in body
    assert (body["username"], body["display_name"], body["bio"]) == ("alice", "alice", "Teas.")
    assert_error(clients[who].get("/api/profiles/nobody/"), 404, "not_found")


def test_my_profile_shows_my_balance_and_patch_changes_it_in_part(user_client, user):
    fund(user, "55.00")
    assert user_client.get("/api/profiles/me/").json()["balance"] == "55.00"
    response = send(user_client, "patch", "/api/profiles/me/", {"display_name": " Alice "})
    assert response.status_code == 200
    assert response.json()["display_name"] == "Alice"
    response = send(user_client, "patch", "/api/profiles/me/", {"bio": "Hello"})
    assert (response.json()["display_name"], response.json()["bio"]) == ("Alice", "Hello")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"balance": "1000000.00"}, "balance"),
        ({"display_name": "x" * 81}, "display_name"),
        ({"bio": "\x00"}, "bio"),
        ({"display_name": None}, "display_name"),
    ],
)
def test_my_profile_refuses_bad_input_and_never_takes_a_balance(user_client, user, body, field):
    before = snapshot()
    error = assert_error(send(user_client, "patch", "/api/profiles/me/", body), 422, "invalid")
    assert field in error["fields"]
    assert snapshot() == before


def test_anonymous_cannot_patch_a_profile(client):
    assert_error(send(client, "patch", "/api/profiles/me/", {"bio": "x"}), 401)


@pytest.mark.parametrize("who", ROLES)
def test_anybody_lists_categories(clients, who):
    CategoryFactory(name="Books", slug="books")
    body = clients[who].get("/api/categories/").json()
    assert body["count"] == 1
    assert body["results"] == [{"id": body["results"][0]["id"], "name": "Books", "slug": "books"}]


def test_category_find_selector(db):
    books = CategoryFactory(slug="books")
    assert selectors.category_find(slug="books") == books
    assert selectors.category_find(slug="nope") is None
