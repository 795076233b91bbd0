"""Product photos through the services: what is refused, what is stored, who may."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from config.errors import Conflict
from shop import services
from shop.models import MAX_PHOTOS, THUMBNAIL_SIZE, Product, ProductPhoto
from tests.conftest import stored_files
from tests.shop import images
from tests.shop.images import upload

pytestmark = pytest.mark.django_db


def add(product, user, content: bytes, name="photo.jpg", **kwargs) -> ProductPhoto:
    return services.product_photo_add(
        product=product, user=user, image=upload(content, name), **kwargs
    )


def opened(root, name: str) -> Image.Image:
    image = Image.open(root / name)
    image.load()
    return image


# --- what is refused ---------------------------------------------------------------------

REFUSED = [
    pytest.param(images.HTML_AS_PNG, "page.png", "not a complete JPEG, PNG or WebP", id="html"),
    pytest.param(images.SVG_AS_PNG, "drawing.png", "not a complete JPEG, PNG or WebP", id="svg"),
    pytest.param(images.gif(), "anim.gif", "Upload a JPEG, PNG or WebP photo.", id="gif"),
    pytest.param(images.truncated_jpeg(), "cut.jpg", "not a complete JPEG, PNG or WebP", id="cut"),
    pytest.param(images.png_bomb(), "bomb.png", "This image is too large", id="bomb"),
    pytest.param(images.png_of(20_000, 20_000), "huge.png", "This image is too large", id="20k"),
    pytest.param(images.png_of(8_001, 10), "wide.png", "at most 8,000 pixels a side", id="side"),
    pytest.param(images.png_of(7_500, 7_500), "big.png", "50 megapixels", id="megapixels"),
    pytest.param(b"", "empty.jpg", "The file is empty.", id="empty"),
]


@pytest.mark.parametrize(("content", "name", "message"), REFUSED)
def test_what_is_not_a_photo_is_refused_and_nothing_is_stored(
    media_root, product, user, content, name, message
):
    with pytest.raises(ValidationError) as refused:
        add(product, user, content, name)
    assert message in refused.value.message_dict["image"][0]
    assert not ProductPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    media_root, settings, product, user
):
    settings.PHOTO_MAX_BYTES = 50_000
    content = images.noisy_jpeg()
    assert len(content) > 50_000
    with pytest.raises(ValidationError) as refused:
        add(product, user, content)
    assert refused.value.message_dict["image"] == ["The photo is too large: at most 48.8\xa0KB."]
    assert stored_files(media_root) == []


def test_the_size_limit_is_ten_megabytes_unless_set():
    from django.conf import settings

    assert settings.PHOTO_MAX_BYTES == 10 * 1024 * 1024


# --- what is stored ----------------------------------------------------------------------


def test_a_camera_jpeg_is_stored_upright_without_exif_or_gps(media_root, product, user):
    photo = add(product, user, images.jpeg_with_gps_sideways(), "IMG_0001.JPG")

    stored = (media_root / photo.image.name).read_bytes()
    image = opened(media_root, photo.image.name)
    assert image.format == "JPEG"
    # Orientation 6 applied: 400 × 300 on its side is 300 × 400 upright, orange on top.
    assert image.size == (300, 400) == (photo.width, photo.height)
    assert image.getpixel((150, 50))[0] > 200  # orange (red channel high)
    assert image.getpixel((150, 350))[2] > 100  # navy (blue channel)
    assert not image.getexif()
    for secret in (b"Exif", b"CameraMaker", b"SecretPhone", b"GPS"):
        assert secret not in stored
    # Nothing of the uploader's file name is kept.
    assert "IMG_0001" not in photo.image.name
    assert photo.image.name.endswith(".jpg")


def test_a_png_loses_its_text_and_exif_and_keeps_its_transparency(media_root, product, user):
    photo = add(product, user, images.png_with_text(), "scan.png")
    stored = (media_root / photo.image.name).read_bytes()
    image = opened(media_root, photo.image.name)
    assert (image.format, image.mode) == ("PNG", "RGBA")
    assert not image.getexif()
    assert not image.text
    for secret in (b"Alice Secret", b"Hidden Street", b"SecretPhone", b"eXIf", b"tEXt"):
        assert secret not in stored


def test_a_webp_loses_its_exif(media_root, product, user):
    photo = add(product, user, images.webp_with_exif(), "photo.webp")
    stored = (media_root / photo.image.name).read_bytes()
    image = opened(media_root, photo.image.name)
    assert image.format == "WEBP"
    assert not image.getexif()
    assert b"SecretPhone" not in stored
    assert b"EXIF" not in stored


def test_the_format_is_what_the_file_is_not_what_it_is_called(media_root, product, user):
    photo = add(product, user, images.jpeg(), "really-a-jpeg.png")
    assert photo.image.name.endswith(".jpg")
    assert opened(media_root, photo.image.name).format == "JPEG"


def test_the_thumbnail_and_large_view_are_made_once_at_upload(media_root, product, user):
    photo = add(product, user, images.jpeg((2400, 1200)))

    assert sorted(stored_files(media_root)) == sorted(photo.file_names())
    thumbnail = opened(media_root, photo.thumbnail.name)
    assert thumbnail.size == THUMBNAIL_SIZE
    assert thumbnail.format == "WEBP"
    large = opened(media_root, photo.large.name)
    assert large.size == (1200, 600) == photo.large_size
    # Asking for the URLs again stores nothing more.
    for _ in range(3):
        ProductPhoto.objects.get(pk=photo.pk).thumbnail.url  # noqa: B018
    assert len(stored_files(media_root)) == 3


def test_a_small_photo_is_not_enlarged(media_root, product, user):
    photo = add(product, user, images.jpeg((640, 480)))
    assert opened(media_root, photo.large.name).size == (640, 480) == photo.large_size


# --- the main photo ----------------------------------------------------------------------


def test_the_first_photo_is_the_main_one_and_a_later_one_may_take_its_place(
    media_root, product, user
):
    first = add(product, user, images.jpeg())
    second = add(product, user, images.jpeg())
    assert (first.is_main, second.is_main) == (True, False)
    third = add(product, user, images.jpeg(), is_main=True)
    assert list(product.photos.values_list("pk", "is_main")) == [
        (third.pk, True),
        (first.pk, False),
        (second.pk, False),
    ]

    services.product_photo_set_main(photo=second, user=user)
    assert Product.objects.get(pk=product.pk).main_photo == second
    assert product.photos.filter(is_main=True).count() == 1


def test_removing_the_main_photo_makes_the_oldest_other_one_main(
    media_root, product, user, django_capture_on_commit_callbacks
):
    first, second, third = (add(product, user, images.jpeg()) for _ in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        services.product_photo_delete(photo=first, user=user)
    assert Product.objects.get(pk=product.pk).main_photo == second
    with django_capture_on_commit_callbacks(execute=True):
        services.product_photo_delete(photo=third, user=user)
    assert list(product.photos.all()) == [second]
    assert sorted(stored_files(media_root)) == sorted(second.file_names())


def test_a_product_has_at_most_ten_photos(media_root, product, user):
    for _ in range(MAX_PHOTOS):
        add(product, user, images.jpeg((64, 48)))
    files = stored_files(media_root)
    with pytest.raises(Conflict) as refused:
        add(product, user, images.jpeg((64, 48)))
    assert refused.value.code == "too_many_photos"
    assert product.photos.count() == MAX_PHOTOS
    assert stored_files(media_root) == files


# --- who may -----------------------------------------------------------------------------


def test_nobody_but_the_seller_and_staff_adds_changes_or_removes_photos(
    media_root, product, user, other_user, staff_user
):
    photo = add(product, user, images.jpeg())
    files = stored_files(media_root)
    with pytest.raises(PermissionDenied):
        add(product, other_user, images.jpeg())
    with pytest.raises(PermissionDenied):
        services.product_photo_set_main(photo=photo, user=other_user)
    with pytest.raises(PermissionDenied):
        services.product_photo_delete(photo=photo, user=other_user)
    assert list(product.photos.all()) == [photo]
    assert stored_files(media_root) == files

    moderated = add(product, staff_user, images.jpeg(), is_main=True)
    services.product_photo_delete(photo=moderated, user=staff_user)
    assert list(product.photos.all()) == [photo]


# --- files go with their rows ------------------------------------------------------------


def test_a_deleted_products_files_go_with_it(
    media_root, product, user, django_capture_on_commit_callbacks
):
    for _ in range(2):
        add(product, user, images.jpeg())
    assert len(stored_files(media_root)) == 6
    with django_capture_on_commit_callbacks(execute=True):
        services.product_delete(product=product, user=user)
    assert stored_files(media_root) == []


def test_a_deleted_sellers_photos_go_too(
    media_root, product, user, django_capture_on_commit_callbacks
):
    add(product, user, images.jpeg())
    with django_capture_on_commit_callbacks(execute=True):
        user.delete()  # the admin deletes accounts: the products and photos go by cascade
    assert not Product.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db(transaction=True)
def test_files_stay_when_the_delete_is_rolled_back(media_root, product, user):
    from django.db import transaction

    photo = add(product, user, images.jpeg())
    with pytest.raises(RuntimeError), transaction.atomic():
        services.product_delete(product=product, user=user)
        raise RuntimeError("something later in the request failed")
    assert ProductPhoto.objects.get() == photo
    assert sorted(stored_files(media_root)) == sorted(photo.file_names())


def test_every_photo_change_marks_the_product_updated(media_root, product, user):
    def updated():
        return Product.objects.values_list("updated", flat=True).get(pk=product.pk)

    before = updated()
    photo = add(product, user, images.jpeg())
    after_add = updated()
    assert after_add > before
    services.product_photo_set_main(photo=photo, user=user)
    assert updated() > after_add
    after_main = updated()
    services.product_photo_delete(photo=photo, user=user)
    assert updated() > after_main
