"""The badge's count and the stream positions: SQL of their own, checked against the ORM rule."""

from datetime import timedelta

import pytest

from notify import selectors, services
from notify.models import Notification, user_channel
from tests.factories import UserFactory
from tests.notify.factories import make_notification

pytestmark = pytest.mark.django_db


def orm_unread(user) -> int:
    """The rule as the notification centre reads it (`notification_list`, the ORM)."""
    return selectors.notification_list(user=user, unread=True).count()


def test_the_unread_count_agrees_with_the_history_through_every_kind_of_change():
    me, them, third = UserFactory.create_batch(3)
    checks = []

    def check(step: str) -> None:
        for who in (u for u in (me, them, third) if u.pk is not None):
            checks.append((step, who.username, selectors.unread_count(user=who), orm_unread(who)))

    check("nothing yet")
    old = make_notification("new_post", None, them, "Before I joined")
    Notification.objects.filter(pk=old.pk).update(created=me.date_joined - timedelta(days=1))
    check("a broadcast from before I joined")
    mine = [make_notification("comment", me, them, f"Mine {i}") for i in range(3)]
    make_notification("new_post", None, them, "Everybody's")
    make_notification("new_post", None, me, "My own post")  # my own act: never in my count
    make_notification("sale", them, me, "Theirs")
    make_notification("announcement", None, None, "From the staff")  # no actor at all
    check("personal, broadcast, own acts, no actor")
    services.notification_mark_read(notification=mine[1], user=me)
    check("one read")
    services.notification_mark_all_read(user=them)
    check("all read by them")
    make_notification("reaction", them, third, "Later", data={"value": "like"})
    check("one after their watermark")
    them.delete()  # the actor of several goes: their acts stay, with no actor
    check("an actor deleted")
    for step, who, sql, orm in checks:
        assert sql == orm, f"{step}: {who} has {sql} unread by SQL, {orm} by the history"
    assert selectors.unread_count(user=me) == 4  # 2 comments, 2 broadcasts
    assert {sql for _step, _who, sql, _orm in checks} != {0}


def test_the_unread_count_is_one_query_and_zero_for_anonymous(
    user, other_user, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    make_notification("comment", user, other_user, "Mine")
    with django_assert_num_queries(1):
        assert selectors.unread_count(user=user) == 1
    with django_assert_num_queries(0):
        assert selectors.unread_count(user=AnonymousUser()) == 0


def test_stream_positions_are_each_channels_newest_event(user, other_user):
    from django.contrib.auth.models import AnonymousUser

    mine = user_channel(user.pk)
    assert selectors.stream_positions(user=user) == {"notifications": 0, mine: 0}
    for i in range(3):
        make_notification("comment", user, other_user, f"Mine {i}")
    make_notification("new_post", None, other_user, "Everybody's")
    make_notification("comment", other_user, user, "Theirs")
    assert selectors.stream_positions(user=user) == {"notifications": 1, mine: 3}
    assert selectors.stream_positions(user=AnonymousUser()) == {"notifications": 1}


def test_stream_positions_are_one_query(user, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.stream_positions(user=user)
