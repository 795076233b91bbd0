"""Who a stream connect is: the batch read (notify.stream.session_users) decides as Django.

Live streams with cookies and tokens are tested against daphne (test_stream*.py); here every
way a session can stop naming its user, with many sessions read in one batch.
"""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notify.stream import authenticate, session_users
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_each_session_names_its_user_and_a_batch_costs_two_queries():
    people = UserFactory.create_batch(5)
    keys = [session_of(user) for user in people]
    with CaptureQueriesContext(connection) as queries:
        found = session_users([*keys, "no-such-session"])
    assert [found[key] for key in keys] == [user.pk for user in people]
    assert found["no-such-session"] is None
    assert len(queries) == 2


def test_a_session_stops_naming_its_user_as_it_does_for_django():
    changed, inactive, expired, logged_out, fine = UserFactory.create_batch(5)
    keys = {user: session_of(user) for user in (changed, inactive, expired, logged_out, fine)}
    changed.set_password("another-password-entirely")
    changed.save()
    inactive.is_active = False
    inactive.save()
    Session.objects.filter(session_key=keys[expired]).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    Session.objects.filter(session_key=keys[logged_out]).delete()

    found = session_users(list(keys.values()))
    assert found == {
        keys[changed]: None,
        keys[inactive]: None,
        keys[expired]: None,
        keys[logged_out]: None,
        keys[fine]: fine.pk,
    }
    # The same answers, one at a time, through django.contrib.auth.get_user.
    assert {key: authenticate(key, None) for key in keys.values()} == found


def test_a_session_made_with_a_retired_secret_key_still_names_its_user(settings):
    user = UserFactory()
    key = session_of(user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 50
    assert session_users([key]) == {key: user.pk}
