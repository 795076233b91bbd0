"""Product photos in the JSON API: upload (multipart), main, remove, and in the product."""

import httpx
import pytest

from shop import services
from shop.models import ProductPhoto
from tests.apiclient import assert_error, count_queries
from tests.conftest import stored_files
from tests.shop import images
from tests.shop.factories import ProductFactory
from tests.shop.images import upload

pytestmark = pytest.mark.django_db


def photos_url(product) -> str:
    return f"/api/products/{product.pk}/photos/"


def add(product, user, **kwargs) -> ProductPhoto:
    return services.product_photo_add(
        product=product, user=user, image=upload(images.jpeg()), **kwargs
    )


def test_upload_answers_the_photo_and_the_product_carries_it(
    user_client, client, media_root, product
):
    response = user_client.post(photos_url(product), {"image": upload(images.jpeg((1600, 1200)))})
    assert response.status_code == 201, response.content
    photo = response.json()
    stored = ProductPhoto.objects.get()
    assert photo == {
        "id": stored.pk,
        "url": f"http://testserver{stored.image.url}",
        "thumbnail_url": f"http://testserver{stored.thumbnail.url}",
        "large_url": f"http://testserver{stored.large.url}",
        "width": 1600,
        "height": 1200,
        "is_main": True,
        "created": photo["created"],
    }
    product_json = client.get(f"/api/products/{product.pk}/").json()
    assert product_json["photos"] == [photo]
    assert product_json["main_photo"] == photo
    assert client.get(photos_url(product)).json() == [photo]
    listed = client.get("/api/products/").json()["results"]
    assert listed[0]["main_photo"] == photo


def test_a_product_without_photos(client, product):
    body = client.get(f"/api/products/{product.pk}/").json()
    assert (body["photos"], body["main_photo"]) == ([], None)


def test_is_main_makes_a_later_upload_the_main_photo(user_client, media_root, product, user):
    first = add(product, user)
    response = user_client.post(
        photos_url(product), {"image": upload(images.jpeg()), "is_main": "true"}
    )
    assert response.status_code == 201
    assert response.json()["is_main"] is True
    first.refresh_from_db()
    assert not first.is_main


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (images.HTML_AS_PNG, "page.png", "This file is not a complete JPEG, PNG or WebP image."),
        (images.SVG_AS_PNG, "logo.png", "This file is not a complete JPEG, PNG or WebP image."),
        (images.gif(), "a.gif", "Upload a JPEG, PNG or WebP photo."),
        (
            images.truncated_jpeg(),
            "cut.jpg",
            "This file is not a complete JPEG, PNG or WebP image.",
        ),
        (images.png_bomb(), "bomb.png", "This image is too large"),
        (images.png_of(20_000, 20_000), "huge.png", "This image is too large"),
    ],
)
def test_a_refused_upload_is_a_422_naming_the_field(
    user_client, media_root, product, content, name, message
):
    response = user_client.post(photos_url(product), {"image": upload(content, name)})
    error = assert_error(response, 422, "invalid")
    assert message in error["message"]
    assert list(error["fields"]) == ["image"]
    assert not ProductPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_a_422(user_client, media_root, settings, product):
    settings.PHOTO_MAX_BYTES = 10_000
    response = user_client.post(photos_url(product), {"image": upload(images.noisy_jpeg())})
    error = assert_error(response, 422, "invalid")
    assert error["fields"]["image"][0].startswith("The photo is too large: at most")
    assert stored_files(media_root) == []


def test_no_file_is_a_422_naming_image(user_client, product):
    error = assert_error(user_client.post(photos_url(product), {}), 422, "invalid")
    assert error["fields"] == {"image": ["This field is required."]}


def test_the_eleventh_photo_is_a_409(user_client, media_root, product, user, settings):
    for _ in range(10):
        add(product, user)
    response = user_client.post(photos_url(product), {"image": upload(images.jpeg())})
    assert_error(response, 409, "too_many_photos")
    assert product.photos.count() == 10


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 401), ("other", 403), ("seller", 200), ("staff", 200)]
)
def test_who_may_upload_make_main_and_remove(request, media_root, product, user, who, status):
    api = {
        "anonymous": request.getfixturevalue("client"),
        "seller": request.getfixturevalue("user_client"),
        "other": request.getfixturevalue("other_client"),
        "staff": request.getfixturevalue("staff_client"),
    }[who]
    first, second = add(product, user), add(product, user)
    files = stored_files(media_root)

    uploaded = api.post(photos_url(product), {"image": upload(images.jpeg())})
    main = api.post(f"{photos_url(product)}{second.pk}/main/")
    removed = api.delete(f"{photos_url(product)}{first.pk}/")

    if status == 200:
        assert (uploaded.status_code, main.status_code, removed.status_code) == (201, 200, 204)
        assert main.json()["is_main"] is True
        assert product.photos.count() == 2
        assert product.photos.first() == second
        return
    for response in (uploaded, main, removed):
        assert_error(response, status)
    assert list(product.photos.all()) == [first, second]
    assert stored_files(media_root) == files


def test_a_photo_of_another_product_is_a_404(user_client, media_root, product, user):
    photo = add(ProductFactory(seller=user), user)
    assert_error(user_client.post(f"{photos_url(product)}{photo.pk}/main/"), 404, "not_found")
    assert_error(user_client.delete(f"{photos_url(product)}{photo.pk}/"), 404, "not_found")
    assert ProductPhoto.objects.get() == photo


def test_photos_of_a_product_off_sale_are_hidden_like_the_product(
    client, other_client, media_root, product, user
):
    add(product, user)
    services.product_update(product=product, user=user, is_active=False)
    assert_error(client.get(photos_url(product)), 404, "not_found")
    response = other_client.post(photos_url(product), {"image": upload(images.jpeg())})
    assert_error(response, 404, "not_found")


def test_the_product_list_costs_the_same_queries_with_many_photos(client, media_root, user):
    for _ in range(3):
        add(ProductFactory(seller=user), user)
    few = count_queries(client, "/api/products/")
    for _ in range(12):
        product = ProductFactory(seller=user)
        add(product, user)
        add(product, user)
    assert count_queries(client, "/api/products/") == few


@pytest.mark.django_db(transaction=True)
def test_an_api_client_uploads_with_its_session_token(daphne_server):
    # Over real HTTP, as a client without cookies would: token login, then multipart.
    from tests.factories import PASSWORD, UserFactory

    seller = UserFactory(username="seller")
    product = ProductFactory(seller=seller)
    login = httpx.post(
        f"{daphne_server.url}/_allauth/app/v1/auth/login",
        json={"username": "seller", "password": PASSWORD},
    )
    token = login.json()["meta"]["session_token"]
    response = httpx.post(
        f"{daphne_server.url}{photos_url(product)}",
        headers={"X-Session-Token": token},
        files={"image": ("photo.webp", images.webp_with_exif(), "image/webp")},
    )
    assert response.status_code == 201, response.text
    photo = response.json()
    assert photo["url"].startswith(daphne_server.url + "/media/products/")
    served = httpx.get(photo["thumbnail_url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"


def test_a_body_that_is_not_multipart_is_a_400_in_the_error_shape(user_client, product):
    response = user_client.generic(
        "POST", photos_url(product), b"garbage", content_type="multipart/form-data"
    )
    error = assert_error(response, 400, "bad_request")
    assert error["message"] == "The request body is not valid multipart/form-data."
