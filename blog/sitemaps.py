from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from blog.models import Post


class PostSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Post]:
        return Post.objects.only("pk", "updated").order_by("-created", "-id")

    def lastmod(self, post: Post):
        return post.updated
