"""Remembered object URLs are the URLs `reverse` gives, under any script prefix."""

from django.urls import clear_script_prefix, reverse, set_script_prefix

from config.reverse import detail_url


def test_a_remembered_url_is_reverses():
    for pk in (1, 2, 10**9):
        assert detail_url("blog:post-detail", pk) == reverse("blog:post-detail", args=[pk])
        assert detail_url("shop:product-detail", pk) == reverse("shop:product-detail", args=[pk])


def test_a_url_follows_the_script_prefix():
    assert detail_url("blog:post-detail", 7) == "/posts/7/"
    set_script_prefix("/agora/")
    try:
        assert detail_url("blog:post-detail", 7) == "/agora/posts/7/"
    finally:
        clear_script_prefix()
    assert detail_url("blog:post-detail", 7) == "/posts/7/"
