"""The blog's admin. Saves and deletes go through blog.services, as the site's do: a post
added here is announced, a comment edited here is marked edited,
a reaction set here tells the post's author."""

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from blog import selectors, services
from blog.models import Comment, Post, Reaction
from config.admin import ServiceAdmin, adopt


class CommentInline(admin.TabularInline):
    model = Comment
    fields = ["author", "content", "created", "edited"]
    # comment_update changes the text only; a comment added here is the admin's own.
    readonly_fields = ["author", "created", "edited"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request).select_related("author")


@admin.register(Post)
class PostAdmin(ServiceAdmin):
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

    def get_readonly_fields(self, request: HttpRequest, obj: Post | None = None) -> list[str]:
        # post_update changes the title and the text; a post keeps its author.
        return [*self.readonly_fields, "author"] if obj else list(self.readonly_fields)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ):
        if db_field.name == "author":
            kwargs.update(required=False, help_text=_("Leave empty to post as yourself."))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Post, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            changed = [name for name in ("title", "content") if name in form.changed_data]
            services.post_update(post=obj, user=request.user, **{n: data[n] for n in changed})
        else:
            post = services.post_create(
                author=data["author"] or request.user, title=data["title"], content=data["content"]
            )
            adopt(obj, post)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        formset.save(commit=False)  # collects the new, changed and deleted comments
        for comment in formset.deleted_objects:
            services.comment_delete(comment=comment, user=request.user)
        for comment, _fields in formset.changed_objects:
            services.comment_update(comment=comment, user=request.user, content=comment.content)
        for comment in formset.new_objects:
            created = services.comment_create(
                post=form.instance, author=request.user, content=comment.content
            )
            adopt(comment, created)

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        services.post_delete(post=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        for post in queryset:
            services.post_delete(post=post, user=request.user)

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
class CommentAdmin(ServiceAdmin):
    list_display = ["short_content", "author", "post", "created", "edited"]
    list_filter = ["created"]
    list_select_related = ["author", "post"]
    search_fields = ["content", "author__username", "post__title"]
    raw_id_fields = ["post", "author"]
    readonly_fields = ["created", "edited"]

    def get_readonly_fields(self, request: HttpRequest, obj: Comment | None = None) -> list[str]:
        # comment_update changes the text; a comment stays on its post, by its author.
        return [*self.readonly_fields, "post", "author"] if obj else list(self.readonly_fields)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ):
        if db_field.name == "author":
            kwargs.update(required=False, help_text=_("Leave empty to comment as yourself."))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Comment, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.comment_update(comment=obj, user=request.user, content=data["content"])
        else:
            comment = services.comment_create(
                post=data["post"], author=data["author"] or request.user, content=data["content"]
            )
            adopt(obj, comment)

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        services.comment_delete(comment=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset:
            services.comment_delete(comment=comment, user=request.user)

    @admin.display(description=_("comment"))
    def short_content(self, comment: Comment) -> str:
        return comment.content if len(comment.content) <= 80 else comment.content[:79] + "…"


@admin.register(Reaction)
class ReactionAdmin(ServiceAdmin):
    list_display = ["post", "user", "value", "updated"]
    list_filter = ["value"]
    list_select_related = ["post", "user"]
    search_fields = ["post__title", "user__username"]
    raw_id_fields = ["post", "user"]

    def get_readonly_fields(self, request: HttpRequest, obj: Reaction | None = None) -> list[str]:
        # reaction_set changes one user's reaction to one post.
        return ["post", "user"] if obj else []

    def save_model(
        self, request: HttpRequest, obj: Reaction, form: ModelForm, change: bool
    ) -> None:
        services.reaction_set(post=obj.post, user=obj.user, value=form.cleaned_data["value"])
        adopt(obj, Reaction.objects.get(post=obj.post, user=obj.user))

    def delete_model(self, request: HttpRequest, obj: Reaction) -> None:
        services.reaction_set(post=obj.post, user=obj.user, value=None)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Reaction]) -> None:
        for reaction in queryset.select_related("post", "user"):
            services.reaction_set(post=reaction.post, user=reaction.user, value=None)
