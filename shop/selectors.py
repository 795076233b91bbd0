"""Every read of the shop, shaped so a list costs the same few queries at any length."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from shop.models import Category, Product, ProductPhoto, Purchase, UserProfile

# ?ordering= value -> ORDER BY; the pk keeps pages stable when the first key ties.
PRODUCT_ORDERINGS: dict[str, tuple[str, ...]] = {
    "new": ("-created", "-pk"),
    "old": ("created", "pk"),
    "price": ("price", "pk"),
    "-price": ("-price", "-pk"),
    "name": ("name", "pk"),
    "popular": ("-sold", "-pk"),
}
DEFAULT_ORDERING = "new"


def _for_sale_or_own(user: AbstractBaseUser | AnonymousUser | None) -> Q:
    visible = Q(is_active=True)
    if user is not None and user.is_authenticated:
        visible |= Q(seller=user)
    return visible


def _visible_to(user: AbstractBaseUser | AnonymousUser | None) -> Q:
    # Off sale, a product is seen only by those who may manage it (Product.can_be_managed_by):
    # its seller and staff. The catalogue leaves staff out, to stay a shop window.
    if user is not None and user.is_authenticated and user.is_staff:
        return Q()
    return _for_sale_or_own(user)


def _with_stats(products: QuerySet[Product]) -> QuerySet[Product]:
    # `sold` is a column kept by shop.services.product_buy: no join over the purchases. The
    # photos in one more query for the whole list, main first (ProductPhoto's ordering).
    return products.select_related("seller__profile", "category").prefetch_related("photos")


def product_list(
    *,
    q: str = "",
    category: Category | str | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool = False,
    ordering: str = DEFAULT_ORDERING,
    user: AbstractBaseUser | AnonymousUser | None = None,
    seller: AbstractBaseUser | None = None,
) -> QuerySet[Product]:
    """The catalogue: products for sale (plus `user`'s own hidden ones), filtered and sorted."""
    products = Product.objects.filter(_for_sale_or_own(user))
    if q := q.strip():
        products = products.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if isinstance(category, Category):
        products = products.filter(category=category)
    elif category:
        products = products.filter(category__slug=category)
    if min_price is not None:
        products = products.filter(price__gte=min_price)
    if max_price is not None:
        products = products.filter(price__lte=max_price)
    if in_stock:
        products = products.filter(stock__gt=0)
    if seller is not None:
        products = products.filter(seller=seller)
    order = PRODUCT_ORDERINGS.get(ordering, PRODUCT_ORDERINGS[DEFAULT_ORDERING])
    return _with_stats(products).order_by(*order)


def product_get(*, pk: int, user: AbstractBaseUser | AnonymousUser | None) -> Product:
    """One product `user` may see, with its seller, category and sales figures, or 404."""
    return get_object_or_404(_with_stats(Product.objects.filter(_visible_to(user))), pk=pk)


def product_find(*, pk: int, user: AbstractBaseUser | AnonymousUser | None) -> Product | None:
    """The product as it is now, or None once it is deleted or hidden from `user`."""
    return _with_stats(Product.objects.filter(_visible_to(user), pk=pk)).first()


def photo_get(*, product: Product, pk: int) -> ProductPhoto:
    """One of the product's photos, or 404 (a photo of another product is not found here)."""
    photo = get_object_or_404(ProductPhoto.objects.filter(product=product), pk=pk)
    photo.product = product
    return photo


def products_visible(*, pks: list[int], user: AbstractBaseUser | AnonymousUser | None) -> set[int]:
    """Which of these products `user` may see (as product_get decides): one query."""
    return set(Product.objects.filter(_visible_to(user), pk__in=pks).values_list("pk", flat=True))


def product_buyers(*, product: Product) -> QuerySet:
    """The users who bought this product, each once."""
    return (
        get_user_model()
        .objects.filter(purchases__product=product)
        .select_related("profile")
        .distinct()
        .order_by("username")
    )


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


def category_find(*, slug: str) -> Category | None:
    """The category with this slug, or None."""
    return Category.objects.filter(slug=slug).first()


def purchases_for(*, user: AbstractBaseUser) -> QuerySet[Purchase]:
    """What the user bought, newest first."""
    return Purchase.objects.filter(buyer=user).select_related("product", "seller__profile")


def sales_for(*, user: AbstractBaseUser) -> QuerySet[Purchase]:
    """What others bought from the user, newest first, kept even for deleted products."""
    return Purchase.objects.filter(seller=user).select_related("product", "buyer__profile")


def sales_total(*, user: AbstractBaseUser) -> Decimal:
    return sales_for(user=user).aggregate(total=Coalesce(Sum("total"), Decimal("0")))["total"]


def profile_get(*, username: str) -> UserProfile:
    """A user's public profile by username, or 404."""
    return get_object_or_404(
        UserProfile.objects.select_related("user"), user__username=username, user__is_active=True
    )


def balance_of(*, user: AbstractBaseUser) -> Decimal:
    """The user's wallet balance as stored now (0 when there is no profile yet)."""
    balance = UserProfile.objects.filter(user=user).values_list("balance", flat=True).first()
    return balance if balance is not None else Decimal("0.00")
