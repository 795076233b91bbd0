"""The admin adds notifications through notify.services; sent ones are not edited."""

import pytest
from django.urls import reverse

from notify.models import Notification

pytestmark = pytest.mark.django_db


def announcement(**fields) -> dict:
    data = {"kind": "announcement", "target_title": "Maintenance at noon", "url": "/"}
    return {**data, "recipient": "", "actor": "", "data": "{}", **fields}


def test_notification_added_in_admin_goes_through_the_service(
    admin_client, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(reverse("admin:notify_notification_add"), announcement())
    assert response.status_code == 302
    notification = Notification.objects.get()
    assert (notification.channel, notification.seq) == ("notifications", 1)
    assert notification.recipient is None
    assert len(callbacks) == 1  # the live event, once committed


def test_notification_to_its_own_actor_is_a_form_error(admin_client, user):
    data = announcement(recipient=str(user.pk), actor=str(user.pk))
    response = admin_client.post(reverse("admin:notify_notification_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not Notification.objects.exists()


def test_sent_notifications_are_read_only(admin_client, user):
    admin_client.post(reverse("admin:notify_notification_add"), announcement())
    notification = Notification.objects.get()
    url = reverse("admin:notify_notification_change", args=[notification.pk])
    assert b'name="_save"' not in admin_client.get(url).content
    assert admin_client.post(url, announcement(target_title="Changed")).status_code == 403
    notification.refresh_from_db()
    assert notification.target_title == "Maintenance at noon"
