"""The shop's API shapes: what clients send (`...In`) and what they get (`...Out`)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext, ngettext
from ninja import Field, Schema
from pydantic import ValidationError, ValidatorFunctionWrapHandler, WrapValidator

from config.apikit import InSchema, Text, UserOut
from shop.forms import MAX_QUANTITY
from shop.models import MAX_STOCK, MONEY_DIGITS, MONEY_PLACES
from shop.selectors import DEFAULT_ORDERING, PRODUCT_ORDERINGS

OrderingValue = Literal[tuple(PRODUCT_ORDERINGS)]  # type: ignore[valid-type]


WHOLE_DIGITS = MONEY_DIGITS - MONEY_PLACES
MONEY_FORMAT = (
    f"A string or a number with at most {MONEY_PLACES} decimals and at most {WHOLE_DIGITS} "
    'digits before the point, e.g. "12.50". A string is exact; a JSON number such as '
    "0.1 + 0.2 (0.30000000000000004) has more decimals than it shows and is refused."
)
_TOO_MANY_DIGITS = {"decimal_max_digits", "decimal_max_places", "decimal_whole_digits"}


def _explain_money(value: Any, handler: ValidatorFunctionWrapHandler) -> Decimal:
    """pydantic's digit limits, said as what an amount may be ("12.50"), not as 12 digits."""
    try:
        return handler(value)
    except ValidationError as exc:
        if not {error["type"] for error in exc.errors()} <= _TOO_MANY_DIGITS:
            raise
        _, digits, exponent = Decimal(str(value)).as_tuple()
        if len(digits) + int(exponent) > WHOLE_DIGITS:
            problem = ngettext(
                "Ensure that there are no more than %(max)s digit before the decimal point.",
                "Ensure that there are no more than %(max)s digits before the decimal point.",
                WHOLE_DIGITS,
            ) % {"max": WHOLE_DIGITS}
        else:
            problem = ngettext(
                "Ensure that there are no more than %(max)s decimal place.",
                "Ensure that there are no more than %(max)s decimal places.",
                MONEY_PLACES,
            ) % {"max": MONEY_PLACES}
        hint = gettext(
            'Send the amount as a string or a number with at most two decimals, e.g. "12.50".'
        )
        raise ValueError(f"{problem} {hint}") from None


# Amounts a client sends, within the database column's digits: a price, and a bound of the
# price filters. The limits sit inside the type so that the OpenAPI schema shows them.
Price = Annotated[
    Decimal,
    Field(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, gt=0),
    WrapValidator(_explain_money),
]
PriceBound = Annotated[
    Decimal,
    Field(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, ge=0),
    WrapValidator(_explain_money),
]


def money(description: str = "", **kwargs) -> Any:
    """A `Price` field whose OpenAPI description and example say what an amount may be."""
    return Field(description=f"{description} {MONEY_FORMAT}".strip(), examples=["12.50"], **kwargs)


class ProductFilters(Schema):
    q: Text = Field("", max_length=100, description="Words in the name or description.")
    category: Text = Field("", max_length=80, description="A category's slug.")
    min_price: PriceBound | None = money("The lowest price.", default=None)
    max_price: PriceBound | None = money("The highest price.", default=None)
    in_stock: bool = Field(False, description="Only products that are not sold out.")
    ordering: OrderingValue = Field(  # type: ignore[valid-type]
        DEFAULT_ORDERING, description="`new`, `old`, `price`, `-price`, `name` or `popular`."
    )


class CategoryOut(Schema):
    id: int
    name: str
    slug: str


class ProductIn(InSchema):
    name: Text = Field(max_length=200)
    description: Text = Field("", max_length=5000)
    price: Price = money()
    stock: int = Field(1, ge=0, le=MAX_STOCK)
    category: Text | None = Field(None, max_length=80, description="A category's slug, or null.")
    is_active: bool = Field(True, description="False takes the product off the shop.")


STOCK_SEEN = (
    "The `stock` this change is based on, as last read. The same number as `stock` keeps "
    "the stock as purchases left it; another number is written only if the stock is still "
    "this one, else 409 `stock_changed`."
)


class ProductReplaceIn(ProductIn):
    stock_seen: int = Field(ge=0, le=MAX_STOCK, description=STOCK_SEEN)


class ProductPatchIn(InSchema):
    # Absent means unchanged; only `category` may be null (no category).
    name: Text = Field(None, max_length=200)  # type: ignore[assignment]
    description: Text = Field(None, max_length=5000)  # type: ignore[assignment]
    price: Price = money(default=None)
    stock: int = Field(None, ge=0, le=MAX_STOCK)  # type: ignore[assignment]
    stock_seen: int = Field(  # type: ignore[assignment]
        None, ge=0, le=MAX_STOCK, description=f"Required with `stock`. {STOCK_SEEN}"
    )
    category: Text | None = Field(None, max_length=80)
    is_active: bool = Field(None)  # type: ignore[assignment]


def _absolute(url: str, context: Any) -> str:
    # Local media is a path on this site; a bucket's URL is absolute already.
    request = (context or {}).get("request")
    return request.build_absolute_uri(url) if request is not None else url


class PhotoOut(Schema):
    id: int
    url: str = Field(description="The photo as uploaded, re-encoded without its metadata.")
    thumbnail_url: str = Field(description="480 × 360, cropped to fill: the catalogue's.")
    large_url: str = Field(description="At most 1200 pixels a side: the product page's.")
    width: int = Field(description="The photo's width in pixels.")
    height: int = Field(description="The photo's height in pixels.")
    is_main: bool = Field(description="The one the catalogue and link previews show.")
    created: datetime

    @staticmethod
    def resolve_url(obj, context) -> str:
        return _absolute(obj.image.url, context)

    @staticmethod
    def resolve_thumbnail_url(obj, context) -> str:
        return _absolute(obj.thumbnail.url, context)

    @staticmethod
    def resolve_large_url(obj, context) -> str:
        return _absolute(obj.large.url, context)


class ProductOut(Schema):
    id: int
    name: str
    description: str
    price: Decimal
    stock: int
    is_active: bool
    is_sold_out: bool
    category: CategoryOut | None
    seller: UserOut
    sold: int = Field(description="Items sold so far.")
    created: datetime
    updated: datetime
    url: str = Field(description="The product's page on the site.")
    photos: list[PhotoOut] = Field(description="Main photo first, then oldest first.")
    main_photo: PhotoOut | None = Field(description="The first of `photos`; null without any.")

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_photos(obj) -> list:
        return list(obj.photos.all())


class BuyIn(InSchema):
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY, strict=True)


class PurchaseOut(Schema):
    """A purchase as its buyer sees it."""

    id: int
    product_id: int | None = Field(description="Null once the product is deleted.")
    product_name: str
    seller: UserOut | None
    unit_price: Decimal
    quantity: int
    total: Decimal
    created: datetime


class BuyOut(PurchaseOut):
    balance: Decimal = Field(description="The buyer's wallet after paying.")


class SaleOut(Schema):
    """A purchase as its seller sees it."""

    id: int
    product_id: int | None
    product_name: str
    buyer: UserOut | None
    unit_price: Decimal
    quantity: int
    total: Decimal
    created: datetime


class ProfileOut(Schema):
    """A public profile: never the balance."""

    username: str
    display_name: str
    bio: str
    date_joined: datetime

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_display_name(obj) -> str:
        return obj.name

    @staticmethod
    def resolve_date_joined(obj) -> datetime:
        return obj.user.date_joined


class MyProfileOut(ProfileOut):
    balance: Decimal


class ProfileIn(InSchema):
    display_name: Text = Field(None, max_length=80)  # type: ignore[assignment]
    bio: Text = Field(None, max_length=2000)  # type: ignore[assignment]
