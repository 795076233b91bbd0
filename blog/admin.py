from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from blog import selectors
from blog.models import Comment, Post, Reaction


class CommentInline(admin.TabularInline):
    model = Comment
    fields = ["author", "content", "created", "edited"]
    readonly_fields = ["created", "edited"]
    raw_id_fields = ["author"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request).select_related("author")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "created", "likes", "dislikes", "comments"]
    list_filter = ["created", ("author", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "content", "author__username"]
    raw_id_fields = ["author"]
    readonly_fields = ["created", "updated"]
    date_hierarchy = "created"
    inlines = [CommentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        # The same counts the site shows, one query for the whole changelist page.
        return selectors.post_list().order_by("-created", "-id")

    @admin.display(description=_("likes"), ordering="like_count")
    def likes(self, post: Post) -> int:
        return post.like_count

    @admin.display(description=_("dislikes"), ordering="dislike_count")
    def dislikes(self, post: Post) -> int:
        return post.dislike_count

    @admin.display(description=_("comments"), ordering="comment_count")
    def comments(self, post: Post) -> int:
        return post.comment_count


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["short_content", "author", "post", "created", "edited"]
    list_filter = ["created"]
    list_select_related = ["author", "post"]
    search_fields = ["content", "author__username", "post__title"]
    raw_id_fields = ["post", "author"]
    readonly_fields = ["created", "edited"]

    @admin.display(description=_("comment"))
    def short_content(self, comment: Comment) -> str:
        return comment.content if len(comment.content) <= 80 else comment.content[:79] + "…"


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    list_display = ["post", "user", "value", "updated"]
    list_filter = ["value"]
    list_select_related = ["post", "user"]
    search_fields = ["post__title", "user__username"]
    raw_id_fields = ["post", "user"]
