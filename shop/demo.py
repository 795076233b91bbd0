"""Demo content for `manage.py seed_demo`."""

import io
import zlib
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db.models import F
from PIL import Image, ImageDraw, ImageFont

from shop import services
from shop.models import Category, Product, UserProfile

DEMO_CREDIT = Decimal("500.00")

CATEGORIES = [
    ("Books", "books"),
    ("Home & kitchen", "home-kitchen"),
    ("Electronics", "electronics"),
    ("Games & toys", "games-toys"),
]

# (seller index in the demo users, category slug, name, price, stock, description)
PRODUCTS = [
    (0, "books", "The Pragmatic Programmer", "39.90", 4, "20th anniversary edition, like new."),
    (0, "home-kitchen", "Cast-iron teapot", "54.00", 2, "Holds 0.8 l. Keeps tea warm for ages."),
    (1, "electronics", "Mechanical keyboard", "89.99", 3, "Brown switches, UK layout."),
    (1, "books", "Two Scoops of Django", "29.50", 6, "Well thumbed, with notes in pencil."),
    (1, "games-toys", "Wooden chess set", "45.00", 1, "Hand-carved; the last one I have."),
    (2, "home-kitchen", "Espresso cups (set of 4)", "18.75", 10, "Porcelain, dishwasher safe."),
    (2, "electronics", "USB-C charger 65 W", "24.99", 8, "Charges a laptop and a phone at once."),
    (2, "games-toys", "Jigsaw puzzle, 1000 pieces", "12.00", 5, "A harbour at sunset."),
]
# The last chess set goes to the first demo user, so the shop has a sold-out product and
# everyone's history has a line in it.
SOLD_OUT = "Wooden chess set"


def seed(*, users: Sequence[AbstractBaseUser]) -> None:
    """Create this app's demo objects once; later runs change nothing."""
    if not users:
        return
    first_run = not Category.objects.filter(slug=CATEGORIES[0][1]).exists()
    for user in users:
        services.profile_ensure(user=user)
    if first_run:
        # Credit once, with the catalogue: a second run must not print money.
        UserProfile.objects.filter(user__in=users).update(balance=F("balance") + DEMO_CREDIT)

    categories = {
        slug: Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for name, slug in CATEGORIES
    }
    for seller_index, slug, name, price, stock, description in PRODUCTS:
        seller = users[seller_index % len(users)]
        if Product.objects.filter(seller=seller, name=name).exists():
            continue
        product = services.product_create(
            seller=seller,
            name=name,
            price=Decimal(price),
            stock=stock,
            description=description,
            category=categories[slug],
        )
        buyer = users[0]
        if name == SOLD_OUT and buyer != seller:
            services.product_buy(product=product, buyer=buyer, quantity=product.stock)
    for product in Product.objects.filter(name__in=[row[2] for row in PRODUCTS], photos=None):
        services.product_photo_add(
            product=product, user=product.seller, image=demo_photo(product.name)
        )


def demo_photo(name: str, size: tuple[int, int] = (960, 720)) -> ContentFile:
    """A picture drawn for a demo product: its own colours, a few shapes and its name."""
    seed = zlib.crc32(name.encode())
    hue = seed % 360
    width, height = size
    image = Image.new("HSV", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):  # a vertical gradient of the product's hue
        draw.line([(0, y), (width, y)], fill=(hue * 255 // 360, 120, 250 - 90 * y // height))
    image = image.convert("RGB")
    draw = ImageDraw.Draw(image)
    accent = Image.new("HSV", (1, 1), ((hue + 150) % 360 * 255 // 360, 170, 235))
    colour = accent.convert("RGB").getpixel((0, 0))
    for i in range(5):  # circles placed by the name's checksum
        r = 40 + (seed >> (i * 3)) % 120
        x = (seed >> (i * 5)) % width
        y = (seed >> (i * 4 + 1)) % (height * 2 // 3)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=colour, width=10)
    font = ImageFont.load_default(size=56)
    draw.rectangle([0, height - 140, width, height], fill=(20, 22, 26))
    draw.text((40, height - 105), name, font=font, fill=(245, 245, 245))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name="demo.jpg")
