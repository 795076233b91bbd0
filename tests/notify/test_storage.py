"""notify.storage: django-eventstream reads the notification history through it when a GRIP
proxy asks a stream's next link (to recover a gap, or its periodic catch-up)."""

import pytest
from django_eventstream.storage import EventDoesNotExist

from notify.models import Notification
from notify.storage import NotificationStorage


def history(channel: str, count: int) -> None:
    Notification.objects.bulk_create(
        Notification(
            channel=channel,
            seq=seq,
            kind=Notification.Kind.ANNOUNCEMENT,
            target_title=f"Event {seq}",
            url="/",
        )
        for seq in range(1, count + 1)
    )


@pytest.mark.django_db
def test_the_events_after_a_position_in_order():
    history("notifications", 5)
    history("user-1", 2)
    events = NotificationStorage().get_events("notifications", 2)
    assert [e.id for e in events] == [3, 4, 5]
    assert all(e.channel == "notifications" for e in events)


@pytest.mark.django_db
def test_from_the_start_and_up_to_the_limit():
    history("notifications", 5)
    assert [e.id for e in NotificationStorage().get_events("notifications", 0)] == [1, 2, 3, 4, 5]
    assert [e.id for e in NotificationStorage().get_events("notifications", 1, limit=2)] == [2, 3]


@pytest.mark.django_db
def test_nothing_new_costs_one_query(django_assert_num_queries):
    # The common request: Pushpin asking again about a stream that has seen everything.
    history("notifications", 3)
    with django_assert_num_queries(1):
        assert NotificationStorage().get_events("notifications", 3) == []


@pytest.mark.django_db
def test_a_position_from_the_future_says_where_the_channel_is():
    history("notifications", 3)
    with pytest.raises(EventDoesNotExist) as raised:
        NotificationStorage().get_events("notifications", 7)
    assert raised.value.current_id == 3
    with pytest.raises(EventDoesNotExist) as raised:
        NotificationStorage().get_events("user-9", 1)  # a channel with no history yet
    assert raised.value.current_id == 0
    assert NotificationStorage().get_events("user-9", 0) == []
