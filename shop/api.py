"""The shop's JSON API: products, buying, purchases, sales and profiles, over shop.services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, File, Form, Path, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from config.apikit import READ_AUTH, Page, Text, errors, kept_answer
from shop import selectors, services
from shop.models import Category, Product, ProductPhoto, Purchase, UserProfile
from shop.schemas import (
    BuyIn,
    BuyOut,
    CategoryOut,
    MyProfileOut,
    PhotoOut,
    ProductFilters,
    ProductIn,
    ProductOut,
    ProductPatchIn,
    ProductReplaceIn,
    ProfileIn,
    ProfileOut,
    PurchaseOut,
    SaleOut,
)

router = Router(tags=["shop"])


def _category(slug: str | None) -> Category | None:
    if not slug:
        return None
    category = selectors.category_find(slug=slug)
    if category is None:
        message = _("Select a valid choice. That choice is not one of the available choices.")
        raise ValidationError({"category": message}, code="invalid_choice")
    return category


def _product_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "category" in data:
        data["category"] = _category(data["category"])
    return data


@router.get(
    "/products/",
    response={200: list[ProductOut], **errors(401, 422)},
    auth=READ_AUTH,
    summary="List products",
)
@kept_answer
@paginate(Page)
def product_list(request: HttpRequest, filters: Query[ProductFilters]) -> QuerySet[Product]:
    return selectors.product_list(user=request.user, **filters.dict())


@router.post(
    "/products/",
    response={201: ProductOut, **errors(400, 401, 403, 422)},
    summary="Put a product on sale",
)
def product_create(request: HttpRequest, payload: ProductIn) -> Status[Product]:
    product = services.product_create(seller=request.user, **_product_fields(payload.dict()))
    return Status(201, selectors.product_get(pk=product.pk, user=request.user))


@router.get(
    "/products/{id}/",
    response={200: ProductOut, **errors(401, 404, 422)},
    auth=READ_AUTH,
    summary="A product",
)
@kept_answer
def product_detail(request: HttpRequest, id: int) -> Product:
    return selectors.product_get(pk=id, user=request.user)


@router.put(
    "/products/{id}/",
    response={200: ProductOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Replace a product's fields",
    description="409 `stock_changed` when purchases changed the stock since `stock_seen`.",
)
def product_replace(request: HttpRequest, id: int, payload: ProductReplaceIn) -> Product:
    product = selectors.product_get(pk=id, user=request.user)
    services.product_update(product=product, user=request.user, **_product_fields(payload.dict()))
    return selectors.product_get(pk=id, user=request.user)


@router.patch(
    "/products/{id}/",
    response={200: ProductOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Change some of a product's fields",
    description="Only the fields sent are written. `stock` comes with `stock_seen`, so a "
    "purchase made meanwhile is never undone: 409 `stock_changed` when the stock moved.",
)
def product_update(request: HttpRequest, id: int, payload: ProductPatchIn) -> Product:
    product = selectors.product_get(pk=id, user=request.user)
    changes = _product_fields(payload.dict(exclude_unset=True))
    services.product_update(product=product, user=request.user, **changes)
    return selectors.product_get(pk=id, user=request.user)


@router.delete(
    "/products/{id}/",
    response={204: None, **errors(401, 403, 404, 422)},
    summary="Delete a product",
    description="Its purchases stay in the buyers' and seller's history.",
)
def product_delete(request: HttpRequest, id: int) -> Status[None]:
    product = selectors.product_get(pk=id, user=request.user)
    services.product_delete(product=product, user=request.user)
    return Status(204, None)


@router.get(
    "/products/{id}/photos/",
    response={200: list[PhotoOut], **errors(401, 404, 422)},
    auth=READ_AUTH,
    summary="A product's photos",
    description="Main photo first. The same list is in the product as `photos`.",
)
def photo_list(request: HttpRequest, id: int) -> list[ProductPhoto]:
    return list(selectors.product_get(pk=id, user=request.user).photos.all())


@router.post(
    "/products/{id}/photos/",
    response={201: PhotoOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Add a photo to a product",
    description="`multipart/form-data` with the file in `image`: a JPEG, PNG or WebP, "
    "checked by decoding it (not by its name or declared type), at most 8,000 pixels a side "
    "and 50 megapixels, and at most `PHOTO_MAX_MB` (10 MB by default). It is stored "
    "re-encoded, without metadata (EXIF, GPS); the thumbnail and the large view are made "
    "at once. The first photo, or one sent with `is_main=true`, becomes the main one. "
    "422 `invalid` names the problem in `fields.image`; 409 `too_many_photos` past 10.",
)
def photo_add(
    request: HttpRequest, id: int, image: File[UploadedFile], is_main: Form[bool] = False
) -> Status[ProductPhoto]:
    product = selectors.product_get(pk=id, user=request.user)
    photo = services.product_photo_add(
        product=product, user=request.user, image=image, is_main=is_main
    )
    return Status(201, photo)


@router.post(
    "/products/{id}/photos/{photo_id}/main/",
    response={200: PhotoOut, **errors(401, 403, 404, 422)},
    summary="Make a photo the main one",
)
def photo_set_main(request: HttpRequest, id: int, photo_id: int) -> ProductPhoto:
    product = selectors.product_get(pk=id, user=request.user)
    photo = selectors.photo_get(product=product, pk=photo_id)
    return services.product_photo_set_main(photo=photo, user=request.user)


@router.delete(
    "/products/{id}/photos/{photo_id}/",
    response={204: None, **errors(401, 403, 404, 422)},
    summary="Remove a photo",
    description="Its files go too. When it was the main one, the oldest other photo is.",
)
def photo_delete(request: HttpRequest, id: int, photo_id: int) -> Status[None]:
    product = selectors.product_get(pk=id, user=request.user)
    photo = selectors.photo_get(product=product, pk=photo_id)
    services.product_photo_delete(photo=photo, user=request.user)
    return Status(204, None)


# No body at all buys one.
BUY_ONE = Body(default_factory=BuyIn)


@router.post(
    "/products/{id}/buy/",
    response={201: BuyOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Buy a product",
    description="Takes the money from the caller's wallet and gives it to the seller. "
    "404 when the caller may not see it (off sale and not theirs). "
    "409 when it is sold out or short of stock (`out_of_stock`), off sale (`inactive`), "
    "the caller's own (`own_product`) or too dear (`insufficient_funds`).",
)
def product_buy(request: HttpRequest, id: int, payload: BuyIn = BUY_ONE) -> Status[Purchase]:
    # A product the caller cannot see (gone, or off sale and not theirs) is a 404, not a 409.
    selectors.product_get(pk=id, user=request.user)
    purchase = services.product_buy(product=id, buyer=request.user, quantity=payload.quantity)
    purchase.balance = selectors.balance_of(user=request.user)
    return Status(201, purchase)


@router.get(
    "/categories/",
    response={200: list[CategoryOut], **errors(401, 422)},
    auth=READ_AUTH,
    summary="List categories",
)
@paginate(Page)
def category_list(request: HttpRequest) -> QuerySet[Category]:
    return selectors.category_list()


@router.get(
    "/purchases/",
    response={200: list[PurchaseOut], **errors(401, 422)},
    summary="What the caller bought, newest first",
)
@paginate(Page)
def purchase_list(request: HttpRequest) -> QuerySet[Purchase]:
    return selectors.purchases_for(user=request.user)


@router.get(
    "/sales/",
    response={200: list[SaleOut], **errors(401, 422)},
    summary="What others bought from the caller, newest first",
)
@paginate(Page)
def sale_list(request: HttpRequest) -> QuerySet[Purchase]:
    return selectors.sales_for(user=request.user)


# Before /profiles/{username}/, so that "me" is not taken for a username.
@router.get(
    "/profiles/me/",
    response={200: MyProfileOut, **errors(401)},
    summary="The caller's profile, with the wallet balance",
)
def profile_me(request: HttpRequest) -> UserProfile:
    return services.profile_ensure(user=request.user)


@router.patch(
    "/profiles/me/",
    response={200: MyProfileOut, **errors(400, 401, 403, 422)},
    summary="Change the caller's display name or bio",
)
def profile_update(request: HttpRequest, payload: ProfileIn) -> UserProfile:
    current = services.profile_ensure(user=request.user)
    changes = {"display_name": current.display_name, "bio": current.bio}
    changes.update(payload.dict(exclude_unset=True))
    return services.profile_update(user=request.user, **changes)


@router.get(
    "/profiles/{username}/",
    response={200: ProfileOut, **errors(401, 404, 422)},
    auth=READ_AUTH,
    summary="A public profile",
)
def profile_detail(request: HttpRequest, username: Path[Text]) -> UserProfile:
    return selectors.profile_get(username=username)
