"""The notification centre, read state and the unread badge."""

from datetime import timedelta

import pytest
from django.urls import reverse

from notify import selectors, services
from notify.models import Notification
from tests.factories import UserFactory
from tests.notify.factories import make_notification

pytestmark = pytest.mark.django_db


def make(kind="comment", recipient=None, actor=None, title="Something", **extra) -> Notification:
    return make_notification(kind, recipient, actor, title, **extra)


@pytest.fixture
def inbox(user, other_user):
    """Two personal notifications for `user`, one broadcast, one for somebody else."""
    return {
        "comment": make("comment", user, other_user, "My post"),
        "reaction": make("reaction", user, other_user, "My post", data={"value": "like"}),
        "broadcast": make("new_post", None, other_user, "Their post"),
        "elsewhere": make("comment", other_user, user, "Their post"),
    }


def test_history_shows_personal_and_broadcast_but_not_others(user, inbox):
    shown = set(selectors.notification_list(user=user))
    assert shown == {inbox["comment"], inbox["reaction"], inbox["broadcast"]}
    assert selectors.unread_count(user=user) == 3


def test_broadcasts_before_joining_and_own_posts_are_not_in_ones_history(user, other_user):
    old = make("new_post", None, other_user, "Old news")
    Notification.objects.filter(pk=old.pk).update(created=user.date_joined - timedelta(days=1))
    make("new_post", None, user, "My own post")
    assert list(selectors.notification_list(user=user)) == []


def test_a_broadcast_has_its_own_read_state_per_user(user, other_user):
    third = UserFactory()
    broadcast = make("new_post", None, other_user, "Their post")
    services.notification_mark_read(notification=broadcast, user=user)
    assert selectors.unread_count(user=user) == 0
    assert selectors.unread_count(user=third) == 1
    assert Notification.objects.filter(kind="new_post").count() == 1


def test_mark_all_read_costs_one_row_and_later_ones_are_unread(user, other_user, inbox):
    services.notification_mark_all_read(user=user)
    assert selectors.unread_count(user=user) == 0
    newer = make("comment", user, other_user, "Later")
    assert list(selectors.notification_list(user=user, unread=True)) == [newer]


def test_unread_count_is_one_query(user, inbox, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.unread_count(user=user) == 3


def test_centre_lists_with_filters_and_pagination(user_client, user, other_user, inbox):
    page = user_client.get(reverse("notify:notification-list"))
    assert page.status_code == 200
    assert 'class="site-header"' in page.text
    assert "commented on “My post”" in page.text
    assert "liked “My post”" in page.text
    assert "published “Their post”" in page.text
    only = user_client.get(reverse("notify:notification-list"), {"kind": "reaction"})
    assert "liked “My post”" in only.text and "commented on" not in only.text
    bogus = user_client.get(reverse("notify:notification-list"), {"kind": "nope", "page": "x"})
    assert bogus.status_code == 200  # an unknown filter is ignored, a bad page is page 1
    for i in range(25):
        make("comment", user, other_user, f"Many {i}")
    second = user_client.get(reverse("notify:notification-list"), {"page": "2"})
    assert "Page 2 of 2" in second.text
    past = user_client.get(reverse("notify:notification-list"), {"page": "99"})
    assert "Page 2 of 2" in past.text


def test_centre_fragment_for_htmx(user_client, inbox):
    response = user_client.get(
        reverse("notify:notification-list"),
        {"unread": "1"},
        headers={"HX-Request": "true", "HX-Target": "notification-list"},
    )
    assert response.status_code == 200
    assert response.text.startswith('<div id="notification-list"')
    assert "site-header" not in response.text


def test_centre_costs_the_same_queries_for_few_or_many(
    user_client, user, other_user, django_assert_max_num_queries
):
    for i in range(3):
        make("comment", user, other_user, f"n{i}")
    with django_assert_max_num_queries(12) as few:
        user_client.get(reverse("notify:notification-list"))
    for i in range(40):
        make("comment", user, UserFactory(), f"m{i}")
    with django_assert_max_num_queries(len(few)):
        user_client.get(reverse("notify:notification-list"))


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("notify:notification-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_mark_read_with_htmx_swaps_the_item_and_the_badge(user_client, user, inbox):
    url = reverse("notify:notification-read", args=[inbox["comment"].pk])
    response = user_client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="notification-{inbox["comment"].pk}"' in response.text
    assert "Mark read" not in response.text
    assert 'hx-swap-oob="innerHTML:#unread-badge-slot"' in response.text
    assert 'data-count="2"' in response.text
    assert selectors.unread_count(user=user) == 2


def test_mark_read_without_javascript_redirects_back(user_client, user, inbox):
    url = reverse("notify:notification-read", args=[inbox["reaction"].pk])
    response = user_client.post(url, {"next": "/notifications/?kind=reaction"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?kind=reaction"
    response = user_client.post(url, {"next": "https://evil.example.com/"})
    assert response["Location"] == reverse("notify:notification-list")


def test_marking_someone_elses_notification_is_404_and_changes_nothing(user_client, inbox):
    response = user_client.post(reverse("notify:notification-read", args=[inbox["elsewhere"].pk]))
    assert response.status_code == 404
    assert not inbox["elsewhere"].reads.exists()
    assert user_client.post(reverse("notify:notification-read", args=[999999])).status_code == 404


def test_mark_read_needs_post_and_a_login(client, user_client, inbox):
    url = reverse("notify:notification-read", args=[inbox["comment"].pk])
    assert user_client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not inbox["comment"].reads.exists()


def test_mark_all_read_by_htmx_and_by_form(user_client, user, inbox):
    response = user_client.post(
        reverse("notify:notification-read-all"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Mark read" not in response.text
    assert 'data-count="0"' in response.text
    assert selectors.unread_count(user=user) == 0
    response = user_client.post(reverse("notify:notification-read-all"))
    assert response.status_code == 302


def test_badge_in_every_page_and_its_fragment(user_client, inbox):
    page = user_client.get("/")
    assert 'id="unread-badge"' in page.text and 'data-count="3"' in page.text
    badge = user_client.get(reverse("notify:unread-badge"))
    assert badge.text.startswith('<span class="badge" id="unread-badge" data-count="3"')


def test_new_posts_hint_counts_posts_after_the_page(client, other_user):
    first = make("new_post", None, other_user, "One")
    make("new_post", None, other_user, "Two")
    make("new_post", None, other_user, "Three")
    hint = client.get(reverse("notify:new-posts"), {"after": first.seq})
    assert "2 new posts" in hint.text
    # A fresh site's position is 0, and its first post is news too.
    assert "3 new posts" in client.get(reverse("notify:new-posts"), {"after": 0}).text
    assert client.get(reverse("notify:new-posts")).text.strip() == ""
    assert client.get(reverse("notify:new-posts"), {"after": "abc"}).text.strip() == ""


def test_history_text_is_escaped(user_client, user, other_user):
    make("comment", user, other_user, '"><img src=x onerror=alert(1)>')
    page = user_client.get(reverse("notify:notification-list")).text
    assert "<img src=x" not in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_admin_lists_notifications_with_filters(admin_client, inbox):
    changelist = reverse("admin:notify_notification_changelist")
    for query in ("", "?kind=comment", "?audience=all", "?read=no", "?read=yes", "?q=post"):
        response = admin_client.get(changelist + query)
        assert response.status_code == 200, query
    assert "My post" in admin_client.get(changelist + "?kind=comment").text


def test_old_read_marks_make_way_for_the_watermark(user, inbox):
    services.notification_mark_read(notification=inbox["comment"], user=user)
    services.notification_mark_all_read(user=user)
    assert not inbox["comment"].reads.exists()
    assert selectors.unread_count(user=user) == 0


def test_blog_list_asks_for_new_posts_after_the_ones_it_shows(client, other_user):
    latest = make("new_post", None, other_user, "Latest")
    page = client.get("/").text
    assert f'hx-get="/notifications/new-posts/?after={latest.seq}"' in page
    assert 'hx-trigger="sse:notification"' in page
    assert f"lastEventId=notifications%3A{latest.seq}" in page


@pytest.mark.parametrize("count", [1, 2, 5, 21])
def test_badge_in_russian_uses_the_plural_forms(user_client, user, other_user, count):
    for i in range(count):
        make("comment", user, other_user, f"n{i}")
    page = user_client.get("/", headers={"Accept-Language": "ru"})
    assert page.status_code == 200
    assert f'data-count="{count}"' in page.text
    assert "Уведомления" in page.text
