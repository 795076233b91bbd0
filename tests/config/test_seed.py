"""The demo data a newcomer sees at first start."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from blog.models import Comment, Post, Reaction
from config.demo import DEMO_PASSWORD, DEMO_USERS
from notify.models import Notification
from shop.models import Category, Product, Purchase

pytestmark = pytest.mark.django_db

MODELS = [get_user_model(), Post, Comment, Reaction, Category, Product, Purchase, Notification]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_makes_a_living_site_and_is_idempotent(
    client, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    first = counts()
    assert first["Post"] >= 5 and first["Comment"] >= 3 and first["Reaction"] >= 3
    assert first["Category"] >= 3 and first["Product"] >= 6
    assert first["Notification"] >= first["Post"]  # the site's history is not empty
    out = capsys.readouterr().out
    assert f"with the password {DEMO_PASSWORD!r}" in out

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert counts() == first

    username = DEMO_USERS[0][0]
    assert client.login(username=username, password=DEMO_PASSWORD)
    home = client.get("/")
    assert home.status_code == 200
    assert Post.objects.order_by("-created").first().title in home.text
    assert client.get("/shop/").status_code == 200


def test_demo_admin_can_use_the_admin(client):
    call_command("seed_demo")
    assert client.login(username="admin", password=DEMO_PASSWORD)
    for model in (
        "blog/post",
        "blog/comment",
        "shop/product",
        "shop/userprofile",
        "notify/notification",
    ):
        assert client.get(f"/admin/{model}/").status_code == 200, model
