"""Uploaded files served by Agora: images only, as images, cached for good; nothing else."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils.http import http_date

from shop import services
from tests.shop import images
from tests.shop.factories import ProductFactory
from tests.shop.images import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(media_root, user):
    product = ProductFactory(seller=user)
    return services.product_photo_add(
        product=product, user=user, image=upload(images.jpeg_with_gps_sideways())
    )


@pytest.mark.parametrize("view", ["image", "thumbnail", "large"])
def test_a_photo_is_served_as_an_image_cached_for_good(client, photo, media_root, view):
    stored = getattr(photo, view)
    response = client.get(stored.url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == (media_root / stored.name).read_bytes()
    assert response["Content-Type"] == ("image/jpeg" if view == "image" else "image/webp")
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline;")
    assert b"SecretPhone" not in body


def test_head_and_if_modified_since(client, photo):
    head = client.head(photo.image.url)
    assert head.status_code == 200
    assert head["Content-Type"] == "image/jpeg"
    later = http_date((datetime.now(UTC) + timedelta(minutes=1)).timestamp())
    again = client.get(photo.image.url, headers={"If-Modified-Since": later})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/media/products/nothing-here.jpg",
        "/media/../config/settings.py",
        "/media/%2e%2e/config/settings.py",
        "/media/products/../../manage.py",
        "/media//etc/passwd",
        "/media/.hidden.png",
        "/media/products/",
        "/media/products",
    ],
)
def test_nothing_outside_the_stored_images_is_served(client, photo, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("products/page.html", b"<script>alert(1)</script>"),
        ("products/logo.svg", images.SVG_AS_PNG),
        ("products/notes.txt", b"hello"),
        ("products/x.jpg.html", b"<script>alert(1)</script>"),
    ],
)
def test_a_file_that_is_not_an_image_is_never_served(client, media_root, name, content):
    # Whatever found its way into the folder (by hand, another program): only images go out.
    (media_root / name).parent.mkdir(parents=True, exist_ok=True)
    (media_root / name).write_bytes(content)
    assert client.get(f"/media/{name}").status_code == 404


def test_only_safe_methods(client, photo):
    assert client.post(photo.image.url).status_code == 405


def test_nothing_is_served_from_the_folder_when_photos_are_in_a_bucket(client, photo, settings):
    url = photo.image.url
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "elsewhere"},
        },
    }
    assert client.get(url).status_code == 404
