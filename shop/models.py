import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField
from imagekit.processors import ResizeToFill, ResizeToFit

from config.reverse import detail_url

# Money is Decimal with two places everywhere; the column fits ten billion.
MONEY_DIGITS = 12
MONEY_PLACES = 2
CENT = Decimal("0.01")
# New accounts start with an empty wallet; demo users are given credit by shop.demo.
STARTING_BALANCE = Decimal("0.00")
# The most stock a product can hold: a 32-bit integer, the narrowest that Django's databases
# give a PositiveIntegerField, so that a stock read from any of them can be sent back.
MAX_STOCK = 2_147_483_647


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs
    )


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('shop:product-list')}?category={self.slug}"


class Product(models.Model):
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="products",
        verbose_name=_("seller"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    price = money_field(_("price"), validators=[MinValueValidator(CENT)])
    stock = models.PositiveIntegerField(
        _("stock"), default=1, validators=[MaxValueValidator(MAX_STOCK)]
    )
    is_active = models.BooleanField(
        _("for sale"), default=True, help_text=_("Untick to take the product off the shop.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # Items sold so far: raised by shop.services.product_buy in the statement that lowers the
    # stock, so lists show and sort by it without summing the purchases.
    sold = models.IntegerField(_("sold"), default=0, editable=False)
    # Its buyers: whoever has a purchase of this product.
    buyers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Purchase",
        through_fields=("product", "buyer"),
        related_name="bought_products",
        verbose_name=_("buyers"),
    )

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gt=0), name="shop_product_price_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="shop_product_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(stock__lte=MAX_STOCK), name="shop_product_stock_max"
            ),
            models.CheckConstraint(
                condition=models.Q(sold__gte=0), name="shop_product_sold_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["-sold", "-id"], name="shop_product_popular")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("shop:product-detail", self.pk)

    @property
    def is_sold_out(self) -> bool:
        return self.stock <= 0

    @property
    def is_buyable(self) -> bool:
        return self.is_active and self.stock > 0

    def can_be_managed_by(self, user) -> bool:
        """The seller edits and deletes a product; staff may moderate it."""
        return user.is_authenticated and (user.pk == self.seller_id or user.is_staff)

    @property
    def main_photo(self) -> "ProductPhoto | None":
        # The photos come main first (ProductPhoto.Meta.ordering), prefetched by the selectors.
        photos = self.photos.all()
        return photos[0] if photos else None


# The catalogue card's picture: every thumbnail has this size, so the page never jumps.
THUMBNAIL_SIZE = (480, 360)
# The product page's view of each photo: at most this wide and high.
LARGE_SIDE = 1200
MAX_PHOTOS = 10


def photo_name(photo: "ProductPhoto", filename: str) -> str:
    # A new random name for every upload: nothing of the uploader's file name is kept, and
    # what is stored under a name never changes, so it can be cached for good.
    extension = filename.rsplit(".", 1)[-1]
    return f"products/{uuid.uuid4().hex}.{extension}"


class ProductPhoto(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="photos", verbose_name=_("product")
    )
    # Stored as shop.images re-encoded it: a JPEG, PNG or WebP without metadata.
    image = models.ImageField(_("photo"), upload_to=photo_name, max_length=200)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    is_main = models.BooleanField(_("main photo"), default=False)
    created = models.DateTimeField(_("added"), auto_now_add=True)

    # Made once, when the photo is stored (IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY).
    thumbnail = ImageSpecField(
        source="image",
        processors=[ResizeToFill(*THUMBNAIL_SIZE)],
        format="WEBP",
        options={"quality": 80},
    )
    large = ImageSpecField(
        source="image",
        processors=[ResizeToFit(LARGE_SIDE, LARGE_SIDE, upscale=False)],
        format="WEBP",
        options={"quality": 85},
    )

    class Meta:
        ordering = ["-is_main", "created", "pk"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(is_main=True),
                name="shop_productphoto_one_main",
            ),
        ]

    def __str__(self) -> str:
        return self.image.name

    @property
    def large_size(self) -> tuple[int, int]:
        """The large view's width and height (ResizeToFit keeps the proportions)."""
        scale = min(1, LARGE_SIDE / max(self.width, self.height, 1))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))

    @property
    def large_width(self) -> int:
        return self.large_size[0]

    @property
    def large_height(self) -> int:
        return self.large_size[1]

    def file_names(self) -> list[str]:
        """Everything stored for this photo: the image and the views made of it."""
        if not self.image.name:
            return []
        return [self.image.name, self.thumbnail.name, self.large.name]


class UserProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("Shown instead of your username when set."),
    )
    bio = models.TextField(_("about"), blank=True, max_length=2000)
    balance = money_field(_("balance"), default=STARTING_BALANCE)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="shop_profile_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shop:profile-detail", kwargs={"username": self.user.get_username()})

    @property
    def name(self) -> str:
        return self.display_name or self.user.get_username()


class Purchase(models.Model):
    # Purchases are the shop's ledger: they outlive the product, the buyer and the seller,
    # so the name, the price paid and the seller are copied at the time of sale.
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="purchases",
        verbose_name=_("buyer"),
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="sales",
        verbose_name=_("seller"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        related_name="purchases",
        verbose_name=_("product"),
    )
    product_name = models.CharField(_("product name"), max_length=200)
    unit_price = money_field(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))
    total = money_field(_("total"))
    created = models.DateTimeField(_("bought at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="shop_purchase_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gt=0), name="shop_purchase_unit_price_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(total__gt=0), name="shop_purchase_total_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} ({self.quantity})"
