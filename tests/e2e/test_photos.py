"""A seller adds photos in the browser, with htmx and without JavaScript, and the shop shows
them: the thumbnail on the catalogue card, the large view on the product page."""

from decimal import Decimal

from playwright.sync_api import expect

from shop import services
from shop.demo import demo_photo
from shop.models import ProductPhoto
from tests.e2e.conftest import assert_same_page, mark_page, screenshot, wait_for_js, wait_streaming
from tests.factories import UserFactory
from tests.shop.images import HTML_AS_PNG


def loaded(selector: str, width: int) -> str:
    """A JS test that the image is in and decoded at its natural width."""
    return (
        f"(() => {{ const i = document.querySelector({selector!r}); "
        f"return !!i && i.complete && i.naturalWidth === {width}; }})()"
    )


def test_a_seller_adds_a_photo_and_sees_it_in_the_catalogue(live, page_for, tmp_path):
    alice = UserFactory(username="alice")
    teapot = services.product_create(
        seller=alice, name="Cast-iron teapot", price=Decimal("54.00"), stock=2
    )
    photo_file = tmp_path / "teapot.jpg"
    photo_file.write_bytes(demo_photo("Cast-iron teapot").read())
    not_a_photo = tmp_path / "teapot.png"
    not_a_photo.write_bytes(HTML_AS_PNG)

    page = page_for(alice)
    page.goto(teapot.get_absolute_url())
    page.get_by_role("link", name="Photos").click()
    expect(page.locator("h1")).to_have_text("Photos of “Cast-iron teapot”")
    wait_streaming(page)  # htmx has the page: the upload is the in-place one
    mark_page(page)

    page.set_input_files("input[name=image]", str(not_a_photo))
    page.get_by_role("button", name="Add the photo").click()
    expect(page.locator("#id_image_error")).to_have_text(
        "This file is not a complete JPEG, PNG or WebP image."
    )
    assert not ProductPhoto.objects.exists()

    page.set_input_files("input[name=image]", str(photo_file))
    page.get_by_role("button", name="Add the photo").click()
    expect(page.locator("#photos [role=status]")).to_have_text("The photo is added.")
    expect(page.locator("#photos .photo-item img")).to_have_count(1)
    expect(page.locator("#photos .photo-item")).to_contain_text("Main photo")
    assert_same_page(page)
    wait_for_js(page, loaded("#photos .photo-item img", 480))
    photo = ProductPhoto.objects.get(product=teapot)

    page.goto("/shop/")
    card = page.locator("article.product-card", has_text="Cast-iron teapot")
    thumbnail = card.locator("img.product-thumb")
    expect(thumbnail).to_have_attribute("alt", "Cast-iron teapot")
    expect(thumbnail).to_have_attribute("src", photo.thumbnail.url)
    wait_for_js(page, loaded("article.product-card img.product-thumb", 480))
    screenshot(page, "shop-photos")

    card.get_by_role("link", name="Cast-iron teapot").click()
    large = page.locator(".gallery img")
    expect(large).to_have_attribute("src", photo.large.url)
    wait_for_js(page, loaded(".gallery img", 960))
    screenshot(page, "product-photos")


def test_photos_without_javascript(live, page_for, tmp_path):
    carol = UserFactory(username="carol")
    kettle = services.product_create(seller=carol, name="Kettle", price=Decimal("20.00"), stock=3)
    for name in ("first", "second"):
        (tmp_path / f"{name}.jpg").write_bytes(demo_photo(f"Kettle, {name}").read())

    page = page_for(carol, javascript=False)
    page.goto(f"/shop/products/{kettle.pk}/photos/")
    for name in ("first", "second"):
        page.set_input_files("input[name=image]", str(tmp_path / f"{name}.jpg"))
        with page.expect_navigation():
            page.get_by_role("button", name="Add the photo").click()
        expect(page.locator("#messages")).to_contain_text("The photo is added.")
    first, second = ProductPhoto.objects.filter(product=kettle).order_by("created", "pk")
    assert (first.is_main, second.is_main) == (True, False)

    with page.expect_navigation():
        page.get_by_role("button", name="Make photo 2 the main one").click()
    expect(page.locator("#messages")).to_contain_text("The main photo is changed.")
    with page.expect_navigation():
        page.get_by_role("button", name="Remove photo 2").click()
    expect(page.locator("#messages")).to_contain_text("The photo is removed.")
    assert list(ProductPhoto.objects.filter(product=kettle)) == [second]
    assert ProductPhoto.objects.get().is_main
