"""The seller's photo page (with and without htmx) and photos on the shop's pages."""

import re

import pytest
from django.urls import reverse

from shop import services
from shop.models import ProductPhoto
from tests.conftest import stored_files
from tests.pagemeta import page_meta
from tests.shop import images
from tests.shop.factories import ProductFactory
from tests.shop.images import upload

HTMX = {"HX-Request": "true"}


def photos_url(product) -> str:
    return reverse("shop:product-photos", kwargs={"pk": product.pk})


def add(product, user, **kwargs) -> ProductPhoto:
    return services.product_photo_add(
        product=product, user=user, image=upload(images.jpeg()), **kwargs
    )


def img_tags(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*>", html)


def test_the_photo_page_full_and_fragment(user_client, media_root, product, user):
    add(product, user)
    page = user_client.get(photos_url(product))
    assert page.status_code == 200
    assert "<html" in page.text
    assert 'id="photos"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "Main photo" in page.text
    fragment = user_client.get(photos_url(product), headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section id="photos"')


def test_plain_upload_adds_the_photo_and_comes_back_with_a_message(
    user_client, media_root, product
):
    response = user_client.post(photos_url(product), {"image": upload(images.jpeg())}, follow=True)
    assert response.redirect_chain == [(photos_url(product), 302)]
    assert "The photo is added." in response.text
    photo = ProductPhoto.objects.get(product=product)
    assert photo.is_main
    assert photo.thumbnail.url in response.text


def test_htmx_upload_answers_the_photos_fragment(user_client, media_root, product, user):
    add(product, user)
    response = user_client.post(
        photos_url(product), {"image": upload(images.jpeg()), "is_main": "on"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "The photo is added." in response.text
    assert len(img_tags(response.text)) == 2
    assert product.photos.first().is_main  # the new one, asked to be main
    assert product.photos.count() == 2


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (images.HTML_AS_PNG, "page.png", "This file is not a complete JPEG, PNG or WebP image."),
        (images.png_bomb(), "bomb.png", "This image is too large"),
        (images.truncated_jpeg(), "cut.jpg", "This file is not a complete JPEG, PNG or WebP"),
    ],
)
def test_a_refused_upload_shows_the_form_again_with_the_reason(
    user_client, media_root, product, content, name, message
):
    plain = user_client.post(photos_url(product), {"image": upload(content, name)})
    assert plain.status_code == 400
    assert "<html" in plain.text
    assert message in plain.text
    assert 'aria-invalid="true"' in plain.text
    fragment = user_client.post(photos_url(product), {"image": upload(content, name)}, headers=HTMX)
    assert fragment.status_code == 200  # htmx swaps only 2xx answers
    assert message in fragment.text
    assert not ProductPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_no_file_is_a_form_error(user_client, media_root, product):
    response = user_client.post(photos_url(product), {})
    assert response.status_code == 400
    assert "Choose a photo to upload." in response.text


def test_main_and_remove_plain_and_htmx(user_client, media_root, product, user):
    first, second = add(product, user), add(product, user)
    main_url = reverse("shop:product-photo-main", args=[product.pk, second.pk])
    response = user_client.post(main_url)
    assert response.status_code == 302
    assert product.photos.first() == second

    delete_url = reverse("shop:product-photo-delete", args=[product.pk, second.pk])
    fragment = user_client.post(delete_url, headers=HTMX)
    assert fragment.status_code == 200
    assert "The photo is removed." in fragment.text
    assert list(product.photos.all()) == [first]
    assert ProductPhoto.objects.get().is_main


@pytest.mark.parametrize("action", ["page", "upload", "main", "delete"])
def test_another_user_may_not_touch_the_photos(other_client, media_root, product, user, action):
    photo = add(product, user)
    files = stored_files(media_root)
    if action == "page":
        response = other_client.get(photos_url(product))
    elif action == "upload":
        response = other_client.post(photos_url(product), {"image": upload(images.jpeg())})
    else:
        name = "shop:product-photo-main" if action == "main" else "shop:product-photo-delete"
        response = other_client.post(reverse(name, args=[product.pk, photo.pk]))
    assert response.status_code == 403
    assert list(ProductPhoto.objects.all()) == [photo]
    assert photo.is_main
    assert stored_files(media_root) == files


def test_anonymous_is_sent_to_log_in(client, media_root, product):
    response = client.post(photos_url(product), {"image": upload(images.jpeg())})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ProductPhoto.objects.exists()


def test_a_photo_of_another_product_is_not_found_here(user_client, media_root, product, user):
    elsewhere = ProductFactory(seller=user)
    photo = add(elsewhere, user)
    for name in ("shop:product-photo-main", "shop:product-photo-delete"):
        assert user_client.post(reverse(name, args=[product.pk, photo.pk])).status_code == 404
    assert ProductPhoto.objects.get() == photo


def test_photo_actions_are_post_only(user_client, media_root, product, user):
    photo = add(product, user)
    url = reverse("shop:product-photo-delete", args=[product.pk, photo.pk])
    assert user_client.get(url).status_code == 405
    assert ProductPhoto.objects.exists()


# --- photos on the shop's pages ------------------------------------------------------------


def test_the_catalogue_card_shows_the_main_thumbnail(client, media_root, user):
    product = ProductFactory(seller=user, name='Tea "pot" <b>')
    add(product, user)
    main = add(product, user, is_main=True)
    ProductFactory(seller=user, name="No photo")
    page = client.get(reverse("shop:product-list")).text
    [tag] = [tag for tag in img_tags(page) if "product-thumb" in tag]
    assert f'src="{main.thumbnail.url}"' in tag
    assert 'alt="Tea &quot;pot&quot; &lt;b&gt;"' in tag
    assert 'width="480" height="360"' in tag
    assert 'loading="lazy"' in tag
    assert 'class="product-thumb no-photo"' in page  # the card without a photo keeps its room


def test_the_product_page_shows_each_photo_larger(client, media_root, product, user):
    photos = [add(product, user) for _ in range(2)]
    page = client.get(product.get_absolute_url()).text
    gallery = [tag for tag in img_tags(page) if "/thumbnails/" in tag]
    assert [re.search(r'src="([^"]+)"', tag).group(1) for tag in gallery] == [
        photo.large.url for photo in photos
    ]
    assert 'width="800" height="600"' in gallery[0]
    assert f'href="{photos[0].image.url}"' in page
    assert 'alt="Teapot"' in gallery[0]
    assert 'alt="Teapot, photo 2"' in gallery[1]


def test_the_seller_finds_the_photo_page_from_the_product(user_client, client, product):
    assert photos_url(product) in user_client.get(product.get_absolute_url()).text
    assert photos_url(product) not in client.get(product.get_absolute_url()).text


# --- link previews -----------------------------------------------------------------------


def test_a_product_page_has_its_link_preview_with_the_main_photo(client, media_root, user):
    product = ProductFactory(
        seller=user,
        name='<script>alert("x")</script> "Best" teapot',
        description='Cast iron, 0.8 l.\n\nHolds "heat" <b>well</b>.',
    )
    add(product, user)
    main = add(product, user, is_main=True)
    meta = page_meta(client.get(product.get_absolute_url()).text)
    assert meta["og:title"] == product.name
    assert meta["og:type"] == "product"
    assert meta["og:url"] == f"http://testserver{product.get_absolute_url()}"
    assert meta["description"] == meta["og:description"]
    assert meta["description"] == 'Cast iron, 0.8 l. Holds "heat" <b>well</b>.'
    assert meta["og:image"] == f"http://testserver{main.large.url}"
    assert (meta["og:image:width"], meta["og:image:height"]) == ("800", "600")
    assert meta["twitter:card"] == "summary_large_image"


def test_a_product_without_photo_or_description_still_has_a_preview(client, user):
    product = ProductFactory(seller=user, name="Plain", description="")
    meta = page_meta(client.get(product.get_absolute_url()).text)
    assert (meta["og:title"], meta["description"]) == ("Plain", "Plain")
    assert "og:image" not in meta
