from decimal import Decimal

from django.contrib.auth import get_user_model

from shop.demo import DEMO_CREDIT, PRODUCTS, SOLD_OUT, seed
from shop.models import Category, Product, ProductPhoto, Purchase
from tests.conftest import stored_files
from tests.shop.factories import balance, total_money


def demo_users():
    User = get_user_model()
    return [User.objects.create(username=name) for name in ("alice", "bob", "carol")]


def test_seed_fills_the_shop_once(db, media_root):
    users = demo_users()

    seed(users=users)
    seed(users=users)  # a second run changes nothing

    assert Category.objects.count() == 4
    assert Product.objects.count() == len(PRODUCTS)
    assert Product.objects.get(name=SOLD_OUT).stock == 0
    assert Purchase.objects.count() == 1
    # Money given once, then only moved by the one purchase.
    assert total_money() == 3 * DEMO_CREDIT
    assert {u.profile.name for u in users} == {"alice", "bob", "carol"}
    assert balance(users[0]) == DEMO_CREDIT - Decimal("45.00")
    assert balance(users[1]) == DEMO_CREDIT + Decimal("45.00")
    assert len({p.seller_id for p in Product.objects.all()}) == 3
    # One drawn photo each, stored with its thumbnail and large view, made once.
    photos = ProductPhoto.objects.all()
    assert [photo.is_main for photo in photos] == [True] * len(PRODUCTS)
    assert len(stored_files(media_root)) == 3 * len(PRODUCTS)
    assert {(photo.width, photo.height) for photo in photos} == {(960, 720)}
