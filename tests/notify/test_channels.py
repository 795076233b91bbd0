"""Who may read which channel (notify.channels), the live pages' channels included."""

import pytest

from blog.models import Post
from notify.channels import can_read, is_reliable, objects_readable
from shop.models import Product
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def things():
    anna, boris = UserFactory(username="anna"), UserFactory(username="boris")
    staff = UserFactory(username="staff", is_staff=True)
    post = Post.objects.create(author=anna, title="T", content="C")
    on_sale = Product.objects.create(seller=anna, name="A", price="1.00", stock=1)
    hidden = Product.objects.create(seller=anna, name="B", price="1.00", stock=1, is_active=False)
    return anna, boris, staff, post, on_sale, hidden


def test_live_channels_follow_the_objects_and_the_shops_visibility(things):
    anna, boris, staff, post, on_sale, hidden = things
    for who in (None, anna.pk, boris.pk):
        assert can_read(who, f"post-{post.pk}")
        assert can_read(who, f"product-{on_sale.pk}")
        assert can_read(who, "posts") and can_read(who, "catalogue")
        assert not can_read(who, f"post-{post.pk + 100}")
    assert not can_read(None, f"product-{hidden.pk}")
    assert not can_read(boris.pk, f"product-{hidden.pk}")
    assert can_read(anna.pk, f"product-{hidden.pk}")  # the seller
    assert can_read(staff.pk, f"product-{hidden.pk}")
    post.delete()
    assert not can_read(None, f"post-{post.pk}")


@pytest.mark.parametrize(
    "channel", ["post-abc", "post-01", "post-0", "post-1\n", "post--1", "Post-1", "products", ""]
)
def test_malformed_names_are_nobodys(things, channel):
    assert not can_read(things[0].pk, channel)


def test_only_the_history_channels_are_reliable():
    assert is_reliable("notifications") and is_reliable("user-3")
    assert not any(is_reliable(c) for c in ("post-3", "product-3", "posts", "catalogue"))


def test_many_checks_at_once_cost_a_few_queries(things, django_assert_max_num_queries):
    anna, boris, _staff, _post, on_sale, hidden = things
    posts = [Post.objects.create(author=anna, title=f"P{i}", content="C") for i in range(30)]
    asked = [(None, f"post-{p.pk}") for p in posts] + [(None, "post-999999")]
    asked += [(None, f"product-{on_sale.pk}"), (None, f"product-{hidden.pk}")]
    asked += [(boris.pk, f"product-{hidden.pk}"), (anna.pk, f"product-{hidden.pk}")]
    with django_assert_max_num_queries(6):
        answers = objects_readable(asked)
    assert all(answers[None, f"post-{p.pk}"] for p in posts)
    assert answers[None, "post-999999"] is False
    assert answers[None, f"product-{on_sale.pk}"] is True
    assert answers[None, f"product-{hidden.pk}"] is False
    assert answers[boris.pk, f"product-{hidden.pk}"] is False
    assert answers[anna.pk, f"product-{hidden.pk}"] is True
