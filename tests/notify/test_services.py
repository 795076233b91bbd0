"""What becomes a notification, for whom, and when it is published."""

import json
from types import SimpleNamespace

import pytest
from django.db import transaction

from blog import services as blog
from notify.hub import hub
from notify.models import Notification
from shop import services as shop
from tests.factories import UserFactory
from tests.shop.factories import ProductFactory, fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def listen(monkeypatch):
    """What this process's stream hub is handed (notify.hub.Hub.announce), per channel.

    Delivery from the hub to real streams is tested against daphne (test_stream.py); here,
    what is published, to which channel, and when.
    """
    announced: list[tuple[str, int, str]] = []
    monkeypatch.setattr(hub, "announce", lambda *event: announced.append(event))

    def subscribe(channel: str) -> Listener:
        return Listener(channel, announced)

    return subscribe


class Listener:
    def __init__(self, channel: str, announced: list) -> None:
        self.channel = channel
        self.announced = announced


def queued(listener: Listener) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(id=seq, type="notification", data=json.loads(data))
        for channel, seq, data in listener.announced
        if channel == listener.channel
    ]


def test_a_new_post_is_one_broadcast_published_after_commit(
    user, django_capture_on_commit_callbacks, listen
):
    listener = listen("notifications")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post = blog.post_create(author=user, title="Hello", content="World")
        assert queued(listener) == []  # nothing before the commit
    assert callbacks
    (notification,) = Notification.objects.all()
    assert notification.kind == Notification.Kind.NEW_POST
    assert notification.recipient is None
    assert notification.actor == user
    assert notification.url == post.get_absolute_url()
    (event,) = queued(listener)
    assert event.id == notification.seq == 1
    assert event.data["id"] == notification.pk
    assert event.data["kind"] == "new_post"


def test_a_rolled_back_post_publishes_and_stores_nothing(
    user, django_capture_on_commit_callbacks, listen
):
    listener = listen("notifications")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        blog.post_create(author=user, title="Doomed", content="x")
        raise RuntimeError("something later in the request failed")
    assert not Notification.objects.exists()
    assert queued(listener) == []


def test_comment_and_reaction_notify_the_author_only(
    user, other_user, django_capture_on_commit_callbacks, listen
):
    post = blog.post_create(author=user, title="Mine", content="x")
    mine = listen(f"user-{user.pk}")
    theirs = listen(f"user-{other_user.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        blog.comment_create(post=post, author=other_user, content="Nice")
        blog.reaction_set(post=post, user=other_user, value="dislike")
    kinds = list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "data")
    )
    assert kinds == [("comment", {}), ("reaction", {"value": "dislike"})]
    assert len(queued(mine)) == 2
    assert queued(theirs) == []
    assert "disliked" in Notification.objects.get(kind="reaction").message


def test_nobody_is_notified_of_their_own_action(user, django_capture_on_commit_callbacks):
    post = blog.post_create(author=user, title="Mine", content="x")
    with django_capture_on_commit_callbacks(execute=True):
        blog.comment_create(post=post, author=user, content="Talking to myself")
        blog.reaction_set(post=post, user=user, value="like")
    assert not Notification.objects.filter(recipient=user).exists()


def test_taking_a_reaction_back_tells_nobody(user, other_user, django_capture_on_commit_callbacks):
    post = blog.post_create(author=user, title="Mine", content="x")
    with django_capture_on_commit_callbacks(execute=True):
        blog.reaction_set(post=post, user=other_user, value="like")
        blog.reaction_set(post=post, user=other_user, value=None)
    assert Notification.objects.filter(kind="reaction").count() == 1


def test_a_sale_tells_the_seller(user, other_user, django_capture_on_commit_callbacks, listen):
    product = ProductFactory(seller=user, price="12.50", stock=3, name="Teapot")
    fund(other_user, "100.00")
    seller_stream = listen(f"user-{user.pk}")
    with django_capture_on_commit_callbacks(execute=True):
        shop.product_buy(product=product, buyer=other_user, quantity=2)
    notification = Notification.objects.get(recipient=user)
    assert notification.kind == "sale"
    assert notification.actor == other_user
    assert notification.data == {"quantity": 2, "total": "25.00"}
    assert notification.message == f"{other_user.username} bought 2 × “Teapot”"
    assert len(queued(seller_stream)) == 1


def test_publishing_a_post_costs_the_same_with_10_or_1000_users(
    user, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def publish(title: str) -> int:
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            blog.post_create(author=user, title=title, content="x")
        return len(queries)

    UserFactory.create_batch(9)
    with_10 = publish("For ten")
    _bulk_users(990)
    with_1000 = publish("For a thousand")
    assert with_10 == with_1000
    # The post (4: savepoint, author check, insert, release), then its one broadcast row
    # (4: savepoint, the channel's last position, insert, release; on PostgreSQL +1 lock).
    assert with_10 <= 9
    assert Notification.objects.count() == 2


def _bulk_users(count: int) -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    User.objects.bulk_create(User(username=f"bulk{i}") for i in range(count))
