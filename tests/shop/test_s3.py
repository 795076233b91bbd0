"""Photos in an S3-compatible bucket (AWS_STORAGE_BUCKET_NAME), against moto's S3 server on
this machine over real HTTP: stored, served from the bucket, refused, deleted."""

import io
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import boto3
import httpx
import pytest
from PIL import Image

from config.settings import s3_media
from shop import services
from shop.models import ProductPhoto
from tests.config.test_rate_limits import django_process
from tests.services import s3_server
from tests.shop import images
from tests.shop.images import upload

pytestmark = pytest.mark.django_db

BUCKET = "agora-media"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}
KEYS = {"AWS_ACCESS_KEY_ID": "agora-test", "AWS_SECRET_ACCESS_KEY": "agora-test-secret"}


@dataclass
class Bucket:
    endpoint: str
    client: object
    origins: list[str]

    def stored(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listed.get("Contents", []))


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    with s3_server(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint, settings) -> Bucket:
    """Settings as the environment would make them, with a fresh, publicly readable bucket."""
    environ = {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        **KEYS,
    }
    storage, origins = s3_media(environ)
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    # What docs/DEPLOY.md asks of a bucket: anybody may read the objects, nobody list them.
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    bucket = Bucket(endpoint=s3_endpoint, client=client, origins=origins)
    yield bucket
    for key in bucket.stored():
        client.delete_object(Bucket=BUCKET, Key=key)
    client.delete_bucket(Bucket=BUCKET)


def add(product, user, content=None) -> ProductPhoto:
    content = content or images.jpeg_with_gps_sideways()
    return services.product_photo_add(product=product, user=user, image=upload(content))


def test_an_upload_is_stored_in_the_bucket_and_served_from_it(bucket, user_client, product):
    response = user_client.post(
        f"/api/products/{product.pk}/photos/",
        {"image": upload(images.jpeg_with_gps_sideways())},
    )
    assert response.status_code == 201, response.content
    photo = ProductPhoto.objects.get()
    assert bucket.stored() == sorted(photo.file_names())

    body = response.json()
    for field in ("url", "thumbnail_url", "large_url"):
        assert body[field].startswith(f"{bucket.endpoint}/{BUCKET}/")
        served = httpx.get(body[field])
        assert served.status_code == 200
        assert served.headers["content-type"].startswith("image/")
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    original = httpx.get(body["url"])
    assert original.headers["content-type"] == "image/jpeg"
    assert b"SecretPhone" not in original.content
    assert b"Exif" not in original.content
    thumbnail = Image.open(io.BytesIO(httpx.get(body["thumbnail_url"]).content))
    assert thumbnail.size == (480, 360)


def test_the_pages_link_to_the_bucket_and_its_origin_is_allowed(
    bucket, client, media_root, product, user
):
    photo = add(product, user)
    page = client.get("/shop/").text
    [src] = re.findall(r'<img class="product-thumb" src="([^"]+)"', page)
    assert src == photo.thumbnail.url
    assert src.startswith(f"{bucket.endpoint}/{BUCKET}/")
    assert httpx.get(src).status_code == 200
    # The CSP built from the same settings lets the page load it.
    parts = urlsplit(src)
    assert bucket.origins == [f"{parts.scheme}://{parts.netloc}"]
    # Nothing of it is on this machine, and the site's own media view has none of it.
    assert list(media_root.rglob("*")) == []
    assert client.get(f"/media/{photo.image.name}").status_code == 404


def test_a_refused_upload_puts_nothing_in_the_bucket(bucket, user_client, product):
    response = user_client.post(
        f"/api/products/{product.pk}/photos/", {"image": upload(images.png_bomb(), "a.png")}
    )
    assert response.status_code == 422
    assert bucket.stored() == []


def test_a_deleted_products_files_leave_the_bucket(
    bucket, product, user, django_capture_on_commit_callbacks
):
    kept = add(product, user)
    other = add(product, user)
    assert len(bucket.stored()) == 6
    with django_capture_on_commit_callbacks(execute=True):
        services.product_photo_delete(photo=other, user=user)
    assert bucket.stored() == sorted(kept.file_names())
    with django_capture_on_commit_callbacks(execute=True):
        services.product_delete(product=product, user=user)
    assert bucket.stored() == []


def test_the_environment_selects_the_bucket_and_the_csp_allows_it(s3_endpoint, tmp_path):
    # A separate process reads the settings from its environment, as the server would.
    code = (
        "from django.conf import settings\n"
        "from django.core.files.storage import storages\n"
        "print(type(storages['default']).__name__)\n"
        "print(' '.join(settings.SECURE_CSP['img-src']))"
    )
    environment = {"AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": s3_endpoint, **KEYS}
    backend, img_src = django_process(code, tmp_path, **environment).splitlines()
    assert backend == "S3Storage"
    assert img_src.split() == ["'self'", "data:", s3_endpoint]
