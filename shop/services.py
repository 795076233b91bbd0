"""Every write of the shop: the HTML views and the JSON API call these and nothing else."""

import logging
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.errors import Conflict
from shop.images import clean_image
from shop.models import CENT, MAX_PHOTOS, Category, Product, ProductPhoto, Purchase, UserProfile
from shop.signals import product_changed, product_purchased

logger = logging.getLogger(__name__)

AnyUser = AbstractBaseUser | AnonymousUser

PRODUCT_EDITABLE_FIELDS = frozenset(
    {"name", "description", "price", "stock", "category", "is_active"}
)


def _require_user(user: AnyUser) -> None:
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in first."))


def _require_manager(product: Product, user: AnyUser) -> None:
    _require_user(user)
    if not product.can_be_managed_by(user):
        raise PermissionDenied(_("Only the seller can change this product."))


@transaction.atomic
def profile_ensure(*, user: AbstractBaseUser) -> UserProfile:
    """Return the user's profile, creating it with the starting balance if missing."""
    profile, _created = UserProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, user: AnyUser, display_name: str, bio: str) -> UserProfile:
    """Change the public part of one's own profile (never the balance)."""
    _require_user(user)
    profile = profile_ensure(user=user)
    profile.display_name = display_name.strip()
    profile.bio = bio.strip()
    profile.full_clean(exclude=["user", "balance"])
    profile.save(update_fields=["display_name", "bio"])
    return profile


@transaction.atomic
def product_create(
    *,
    seller: AnyUser,
    name: str,
    price: Decimal,
    stock: int,
    description: str = "",
    category: Category | None = None,
    is_active: bool = True,
) -> Product:
    """Put a new product on sale."""
    _require_user(seller)
    product = Product(
        seller=seller,
        name=name.strip(),
        description=description.strip(),
        price=price,
        stock=stock,
        category=category,
        is_active=is_active,
    )
    product.full_clean(exclude=["sold"])  # not input: kept by product_buy
    product.save()
    return product


class StockChanged(Conflict):
    """A stock edit was based on a stock that purchases have changed since."""

    def __init__(self, stock: int) -> None:
        message = _(
            "Someone bought this product while you were editing: the stock is now "
            "%(stock)d. Check the number and save again."
        ) % {"stock": stock}
        super().__init__(message, code="stock_changed")
        self.stock = stock


def _stock_set(*, pk: int, stock: int, seen: int | None) -> None:
    # Compare and set in one statement: a purchase since the edit began makes it match no row.
    if not Product.objects.filter(pk=pk, stock=seen).update(stock=stock):
        raise StockChanged(Product.objects.values_list("stock", flat=True).get(pk=pk))


@transaction.atomic
def product_stock_check(*, product: Product, stock: int, stock_seen: int) -> None:
    """Raise StockChanged where product_update would refuse `stock` based on `stock_seen`.

    For forms that validate before they save: inside the caller's transaction the row stays
    locked (where the database can), so no purchase slips in between the check and the save.
    """
    if stock == stock_seen:
        return  # unchanged: product_update keeps whatever purchases left
    current = Product.objects.select_for_update().values_list("stock", flat=True).get(pk=product.pk)
    if current != stock_seen:
        raise StockChanged(current)


@transaction.atomic
def product_update(
    *, product: Product, user: AnyUser, stock_seen: int | None = None, **changes: Any
) -> Product:
    """Change some of a product's editable fields; only the given fields are written.

    A new `stock` must come with `stock_seen`, the stock the edit was based on: the same
    number means "unchanged" and keeps what purchases left; another number is written only
    if the stock is still `stock_seen`, else StockChanged, so a sale is never undone.
    """
    _require_manager(product, user)
    unknown = set(changes) - PRODUCT_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"product_update() got unexpected fields: {', '.join(sorted(unknown))}")
    stock = changes.pop("stock", None)
    if stock is not None and stock_seen is None:
        raise ValidationError(
            {"stock_seen": _("Send the stock your change is based on along with the new stock.")},
            code="required",
        )
    for field, value in changes.items():
        setattr(product, field, value.strip() if isinstance(value, str) else value)
    if stock is not None:
        product.stock = stock
    product.full_clean(exclude=["sold"])  # not input: kept by product_buy
    if stock is not None and stock != stock_seen:
        _stock_set(pk=product.pk, stock=stock, seen=stock_seen)
    # Only the changed columns, so editing the text never overwrites a stock that a
    # purchase has just decremented.
    product.save(update_fields=[*changes, "updated"])
    product.refresh_from_db(fields=["stock"])
    _changed_on_commit(product.pk)
    return product


@transaction.atomic
def product_delete(*, product: Product, user: AnyUser) -> None:
    """Delete a product and its photos' files; its purchases stay, with the name and price."""
    _require_manager(product, user)
    _changed_on_commit(product.pk)
    product.delete()  # each photo's files go once this commits (photo_files_delete)


def _photos_changing(product_id: int) -> None:
    # Writing the product's `updated` locks its row, so the photo changes of one product wait
    # for each other (count, main photo), and tells whatever is keyed on `updated` (caches,
    # the sitemap's lastmod) that its pictures changed.
    if not Product.objects.filter(pk=product_id).update(updated=timezone.now()):
        raise Product.DoesNotExist


def _room_for_a_photo(count: int) -> None:
    if count >= MAX_PHOTOS:
        message = ngettext(
            "A product has at most %(count)d photo: remove one first.",
            "A product has at most %(count)d photos: remove one first.",
            MAX_PHOTOS,
        ) % {"count": MAX_PHOTOS}
        raise Conflict(message, code="too_many_photos")


def product_photo_add(
    *, product: Product, user: AnyUser, image: IO[bytes], is_main: bool = False
) -> ProductPhoto:
    """Add a photo to a product: checked for what it is, stored without its metadata, and
    its thumbnail and large view made now, once. The first photo is the main one."""
    _require_manager(product, user)
    _room_for_a_photo(product.photos.count())
    # Decoding and resizing take a while: outside any transaction, so no write waits on it.
    clean = clean_image(image)
    photo = ProductPhoto(product=product, width=clean.width, height=clean.height)
    photo.image.save(clean.content.name, clean.content, save=False)
    try:
        photo.thumbnail.generate()
        photo.large.generate()
        _photo_insert(photo=photo, is_main=is_main)
    except BaseException:
        photo_files_delete(photo.file_names())
        raise
    return photo


@transaction.atomic
def _photo_insert(*, photo: ProductPhoto, is_main: bool) -> None:
    _photos_changing(photo.product_id)
    photos = ProductPhoto.objects.filter(product_id=photo.product_id)
    _room_for_a_photo(photos.count())
    if is_main or not photos.filter(is_main=True).exists():
        photos.filter(is_main=True).update(is_main=False)
        photo.is_main = True
    photo.save()


@transaction.atomic
def product_photo_set_main(*, photo: ProductPhoto, user: AnyUser) -> ProductPhoto:
    """Make this photo the one the catalogue and link previews show."""
    _require_manager(photo.product, user)
    _photos_changing(photo.product_id)
    others = ProductPhoto.objects.filter(product_id=photo.product_id, is_main=True)
    others.exclude(pk=photo.pk).update(is_main=False)
    ProductPhoto.objects.filter(pk=photo.pk).update(is_main=True)
    photo.is_main = True
    return photo


@transaction.atomic
def product_photo_delete(*, photo: ProductPhoto, user: AnyUser) -> None:
    """Remove a photo and its files; the oldest other photo becomes the main one."""
    _require_manager(photo.product, user)
    _photos_changing(photo.product_id)
    was_main = ProductPhoto.objects.filter(pk=photo.pk, is_main=True).exists()
    photo.delete()
    if was_main:
        following = ProductPhoto.objects.filter(product_id=photo.product_id).order_by(
            "created", "pk"
        )
        if (successor := following.first()) is not None:
            ProductPhoto.objects.filter(pk=successor.pk).update(is_main=True)


def photo_files_delete(names: Iterable[str]) -> None:
    """Remove stored files; one that cannot be removed is logged, never an error page."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("Could not delete the stored file %s", name)


def _changed_on_commit(pk: int) -> None:
    transaction.on_commit(partial(product_changed.send_robust, sender=Product, product_id=pk))


def _validate_quantity(quantity: Any) -> int:
    # bool is an int in Python; True must not buy one item.
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise ValidationError({"quantity": _("Enter a whole number.")}, code="invalid")
    if quantity < 1:
        raise ValidationError({"quantity": _("Buy at least one.")}, code="min_value")
    return quantity


def _not_for_sale() -> Conflict:
    return Conflict(_("This product is no longer for sale."), code="inactive")


def _out_of_stock(stock: int) -> Conflict:
    if stock <= 0:
        return Conflict(_("Sorry, this product is sold out."), code="out_of_stock")
    return Conflict(_("Only %(stock)d left in stock.") % {"stock": stock}, code="out_of_stock")


def _insufficient_funds() -> Conflict:
    return Conflict(_("You do not have enough money for this."), code="insufficient_funds")


@transaction.atomic
def product_counts_refresh() -> int:
    """Recount every product's `sold` from its purchases; how many products."""
    sold = (
        Purchase.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    return Product.objects.update(sold=Coalesce(Subquery(sold), 0))


@transaction.atomic
def product_buy(*, product: Product | int, buyer: AnyUser, quantity: int) -> Purchase:
    """Buy `quantity` of a product: stock down, money from buyer to seller, one Purchase."""
    quantity = _validate_quantity(quantity)
    _require_user(buyer)
    pk = product.pk if isinstance(product, Product) else product

    # Read the current row, never the caller's copy. The lock serialises buyers of one
    # product on PostgreSQL; SQLite already holds the database write lock (IMMEDIATE).
    row = (
        Product.objects.select_for_update()
        .filter(pk=pk)
        .values("seller_id", "name", "price", "stock", "is_active")
        .first()
    )
    if row is None or not row["is_active"]:
        raise _not_for_sale()
    if row["seller_id"] == buyer.pk:
        raise Conflict(_("You cannot buy your own product."), code="own_product")
    if quantity > row["stock"]:
        raise _out_of_stock(row["stock"])

    unit_price: Decimal = row["price"]
    total = (unit_price * quantity).quantize(CENT, rounding=ROUND_HALF_UP)

    # Conditional updates: each one re-checks its rule in the database, so two buyers can
    # never both take the last item or spend the same money; a zero rowcount rolls back.
    taken = Product.objects.filter(pk=pk, is_active=True, stock__gte=quantity).update(
        stock=F("stock") - quantity, sold=F("sold") + quantity
    )
    if not taken:
        stock = Product.objects.filter(pk=pk, is_active=True).values_list("stock", flat=True)
        current = stock.first()
        raise _not_for_sale() if current is None else _out_of_stock(current)

    seller_id = row["seller_id"]
    profile_ensure(user=buyer)
    UserProfile.objects.get_or_create(user_id=seller_id)

    def debit() -> None:
        paid = UserProfile.objects.filter(user=buyer, balance__gte=total).update(
            balance=F("balance") - total
        )
        if not paid:
            raise _insufficient_funds()

    def credit() -> None:
        UserProfile.objects.filter(user_id=seller_id).update(balance=F("balance") + total)

    # Always touch the two wallets in user-id order, so two users buying from each other
    # at the same moment cannot deadlock on PostgreSQL.
    for step in (debit, credit) if buyer.pk < seller_id else (credit, debit):
        step()

    purchase = Purchase.objects.create(
        buyer=buyer,
        seller_id=seller_id,
        product_id=pk,
        product_name=row["name"],
        unit_price=unit_price,
        quantity=quantity,
        total=total,
    )
    transaction.on_commit(
        lambda: product_purchased.send(sender=Purchase, purchase=purchase), robust=True
    )
    return purchase
