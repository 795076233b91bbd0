"""Atom feeds of the blog: the newest posts, and each author's (Django's syndication framework).

The feed generator escapes every text it writes; the posts' HTML is the sanitised Markdown
the pages show, sent as escaped `html` content for the reader to render.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from blog.models import Post
from blog.templatetags.blog_tags import render_markdown

FEED_SIZE = 20


def _newest(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("author").order_by("-created", "-id")[:FEED_SIZE]


class LatestPostsFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Agora: the newest posts")

    def subtitle(self) -> str:
        return _("What people write on Agora's blog.")

    def link(self) -> str:
        return reverse("blog:post-list")

    def feed_url(self) -> str:
        return reverse("blog:post-feed")

    def items(self) -> QuerySet[Post]:
        return _newest(Post.objects.all())

    def item_title(self, post: Post) -> str:
        return post.title

    def item_description(self, post: Post) -> str:
        return render_markdown(post.content)

    def item_link(self, post: Post) -> str:
        return post.get_absolute_url()

    def item_pubdate(self, post: Post):
        return post.created

    def item_updateddate(self, post: Post):
        return post.updated

    def item_author_name(self, post: Post) -> str:
        return post.author.get_username()


class AuthorPostsFeed(LatestPostsFeed):
    def get_object(self, request, username: str) -> AbstractBaseUser:
        return get_object_or_404(get_user_model(), username=username)

    def title(self, author: AbstractBaseUser) -> str:
        return _("Agora: posts by %(username)s") % {"username": author.get_username()}

    def subtitle(self, author: AbstractBaseUser) -> str:
        return _("What %(username)s writes on Agora's blog.") % {"username": author.get_username()}

    def link(self, author: AbstractBaseUser) -> str:
        return reverse("blog:author-posts", kwargs={"username": author.get_username()})

    def feed_url(self, author: AbstractBaseUser) -> str:
        return reverse("blog:author-feed", kwargs={"username": author.get_username()})

    def items(self, author: AbstractBaseUser) -> QuerySet[Post]:
        return _newest(Post.objects.filter(author=author))
