"""What search engines are told: `sitemap.xml` (posts, products on sale, the main pages) and
`robots.txt`, which points to it and keeps crawlers out of what only makes sense signed in,
or to programs."""

from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from blog.sitemaps import PostSitemap
from shop.sitemaps import ProductSitemap

# Accounts, the admin, the API and its docs, the notification stream, the language switch,
# and one's own purchases, sales and profile form.
DISALLOW = [
    "/admin/",
    "/api/",
    "/accounts/",
    "/_allauth/",
    "/notifications/",
    "/i18n/",
    "/shop/purchases/",
    "/shop/sales/",
    "/shop/profile/",
]


class PageSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self) -> list[str]:
        return ["blog:post-list", "shop:product-list"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "posts": PostSitemap, "products": ProductSitemap}


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in DISALLOW),
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
