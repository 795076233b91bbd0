"""What Agora takes from django-eventstream beyond its documented API (notify/eventstream.py).

These fail when an upgrade changes one of those internals; pyproject.toml bounds the version
so that happens on purpose, with this file to say what to look at.
"""

import inspect
import json

import django_grip
import pytest
from django_eventstream import eventstream as es_eventstream
from django_eventstream import send_event
from django_eventstream.channelmanager import ChannelManagerBase
from django_eventstream.storage import StorageBase
from django_eventstream.utils import parse_last_event_id, publish_event, sse_encode_event

from notify import eventstream
from notify.stream import parse_last_event_id as agora_parse


def test_the_sse_framing_is_django_eventstreams():
    assert sse_encode_event("notification", '{"a": 1}', event_id="notifications:3") == (
        'event: notification\nid: notifications:3\ndata: {"a": 1}\n\n'
    )
    assert eventstream.encode_event("stream-open", "", event_id="notifications:0") == (
        b"event: stream-open\nid: notifications:0\ndata: \n\n"
    )
    error = eventstream.encode_error("bad-request", "Nope")
    assert error.startswith(b"event: stream-error\nid: error\ndata: ")
    assert json.loads(error.split(b"data: ", 1)[1]) == {"condition": "bad-request", "text": "Nope"}


def test_event_ids_read_back_the_way_django_eventstream_reads_them():
    positions = {"user-7": 40, "notifications": 41}
    event_id = eventstream.make_event_id(positions)
    assert event_id == "notifications:41,user-7:40"
    assert {k: int(v) for k, v in parse_last_event_id(event_id).items()} == positions
    assert agora_parse(event_id) == positions


class RecordingRedis:
    def __init__(self) -> None:
        self.published: list[tuple[str, str]] = []

    def publish(self, channel: str, message: str) -> None:
        self.published.append((channel, message))


@pytest.mark.django_db
def test_a_message_send_event_puts_on_redis_is_one_agora_reads(monkeypatch):
    # A process still on django-eventstream's own publishing (send_event) and Agora's listener
    # must agree on the message: the channel name on Redis and its fields.
    redis = RecordingRedis()
    monkeypatch.setattr(es_eventstream, "redis_client", redis)
    assert eventstream.redis_client() is redis
    data = json.dumps({"seq": 5, "title": "x"})
    send_event("notifications", "notification", data, json_encode=False, async_publish=False)
    eventstream.publish_to_other_processes("notifications", "notification", data, 6)
    (theirs_channel, theirs), (ours_channel, ours) = redis.published
    assert theirs_channel == ours_channel == eventstream.REDIS_CHANNEL
    assert eventstream.parse_redis_message(theirs) == ("notifications", 5, data)
    assert eventstream.parse_redis_message(ours) == ("notifications", 6, data)


def test_the_hooks_agora_implements_and_calls_are_still_there():
    assert {"channel", "event_type", "data", "pub_id", "pub_prev_id"} <= set(
        inspect.signature(publish_event).parameters
    )
    for name in ("get_channels_for_request", "can_read_channel", "is_channel_reliable"):
        assert callable(getattr(ChannelManagerBase, name))
    for name in ("append_event", "get_events", "get_current_id"):
        assert callable(getattr(StorageBase, name))


def test_what_django_eventstream_publishes_to_the_proxy_is_what_agora_publishes_beside_it(
    monkeypatch,
):
    # Agora publishes each event twice (notify.eventstream._publish_to_proxy): as
    # django-eventstream does, for the streams of several channels, and on the plain twin.
    published = []
    monkeypatch.setattr(
        django_grip, "publish", lambda channel, fmt, **kw: published.append((channel, fmt, kw))
    )
    eventstream._publish_to_proxy("notifications", "notification", '{"p": "5%"}', 5)
    (theirs, their_format, their_args), (ours, our_format, our_args) = published
    assert theirs == eventstream.GRIP_PREFIX + "notifications"
    assert their_format.content == 'event: notification\nid: %I\ndata: {"p": "5%%"}\n\n'
    assert their_format.content_filters == ["build-id"]
    assert ours == eventstream.PLAIN_PREFIX + theirs
    assert our_format.content == 'event: notification\nid: notifications:5\ndata: {"p": "5%"}\n\n'
    assert not our_format.content_filters
    assert their_args["id"] == our_args["id"] == "5"
    assert their_args["prev_id"] == our_args["prev_id"] == "4"
