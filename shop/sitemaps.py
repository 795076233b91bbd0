from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from shop.models import Product


class ProductSitemap(Sitemap):
    """The products on sale: one taken off sale is nobody's to find (its page is a 404)."""

    changefreq = "daily"

    def items(self) -> QuerySet[Product]:
        return Product.objects.filter(is_active=True).only("pk", "updated").order_by("-created")

    def lastmod(self, product: Product):
        return product.updated
