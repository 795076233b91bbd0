"""Every write of the shop: the HTML views and the JSON API call these and nothing else."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from config.errors import Conflict
from shop.models import CENT, Category, Product, Purchase, UserProfile
from shop.signals import product_purchased

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
    return product


@transaction.atomic
def product_delete(*, product: Product, user: AnyUser) -> None:
    """Delete a product; its purchases stay, with the name and price copied."""
    _require_manager(product, user)
    product.delete()


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
