"""HTML views of the blog. Each renders one template: the page, or for htmx its partial."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from blog import selectors, services
from blog.forms import CommentForm, PostFilterForm, PostForm
from blog.models import Comment, Post, Reaction
from blog.selectors import Ordering
from blog.templatetags.blog_tags import edited_ago
from config import versions
from config.views import (
    KeptPage,
    add_service_errors,
    back_url,
    is_fragment,
    keep_page,
    kept_page,
    login_redirect,
    login_required,
    page_url,
    paginate,
    shown_or_gone,
)

PAGE_SIZE = 10


def _data(request: HttpRequest) -> QueryDict | None:
    """The posted form data; an empty POST still binds, so it gets "required" errors."""
    return request.POST if request.method == "POST" else None


def _render_list(request: HttpRequest, *, author_user=None) -> HttpResponse:
    filters = PostFilterForm(request.GET).values()
    if author_user is not None:
        filters["author"] = author_user.get_username()
    fragment = is_fragment(request)
    with_authors = not (fragment or author_user)

    def read() -> tuple[KeptPage, list[str]]:
        posts = selectors.post_list(user=request.user, **filters)
        page = paginate(request, posts, PAGE_SIZE)
        return keep_page(page), list(selectors.author_choices()) if with_authors else []

    # The page's rows, its count and the authors offered: read once per content version for
    # this reader (their own reactions) and this list (docs/PERFORMANCE.md).
    key = ("posts", request.user.pk, sorted(filters.items()), request.GET.get("page"))
    version = versions.current()
    kept, authors = versions.remember((*key, with_authors), read, version=version)
    page = kept_page(kept)
    context = {
        "page_obj": page,
        # The list as rendered, for the same rows, address and "3 minutes ago" texts.
        "results_key": version
        and (version, key, request.get_full_path(), [naturaltime(p.created) for p in page]),
        "filters": filters,
        "orderings": Ordering.choices,
        "author_user": author_user,
        "back": request.get_full_path(),
    }
    if fragment:
        return render(request, "blog/post_list.html#results", context)
    # The filter form is rendered once per version (docs/PERFORMANCE.md): the values asked
    # for and the authors offered are the cache key.
    context["authors"] = authors
    context["filter_key"] = (request.path, sorted(filters.items()), authors)
    return render(request, "blog/post_list.html", context)


@require_safe
@vary_on_headers("HX-Request")
def post_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@require_safe
@vary_on_headers("HX-Request")
def author_posts(request: HttpRequest, username: str) -> HttpResponse:
    author_user = get_object_or_404(get_user_model(), username=username)
    return _render_list(request, author_user=author_user)


def _detail_context(request: HttpRequest, post: Post, comments=None, **extra) -> dict:
    return {
        "post": post,
        "comments": selectors.comment_list(post=post) if comments is None else comments,
        "comment_form": CommentForm(),
        "back": post.get_absolute_url(),
        **extra,
    }


@require_safe
@shown_or_gone
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    def read() -> tuple[Post, list[Comment]]:
        post = selectors.post_detail(pk=pk, user=request.user)
        return post, list(selectors.comment_list(post=post))

    # Read once per content version for this reader (their reaction): docs/PERFORMANCE.md.
    version = versions.current()
    key = ("post", pk, request.user.pk)
    post, comments = versions.remember(key, read, version=version)
    context = _detail_context(request, post, comments=comments)
    # The post and the comments as rendered, for the same rows, reader and "3 minutes ago"
    # texts.
    context["article_key"] = version and (version, key, edited_ago(post))
    context["comments_key"] = version and (
        version,
        key,
        [naturaltime(comment.created) for comment in comments],
    )
    return render(request, "blog/post_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_create(request: HttpRequest) -> HttpResponse:
    form = PostForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_create(author=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your post is published."))
            return redirect(post)
    return render(request, "blog/post_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_update(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("author"), pk=pk)
    services.ensure_can_change(user=request.user, obj=post)
    form = PostForm(_data(request), initial={"title": post.title, "content": post.content})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_update(post=post, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The post is saved."))
            return redirect(post)
    return render(request, "blog/post_form.html", {"form": form, "post": post})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("author"), pk=pk)
    services.ensure_can_change(user=request.user, obj=post)
    if request.method == "POST":
        services.post_delete(post=post, user=request.user)
        messages.success(request, _("The post is deleted."))
        url = resolve_url("blog:post-list")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render(request, "blog/post_confirm_delete.html", {"post": post})


@require_POST
@vary_on_headers("HX-Request")
def post_react(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    if not request.user.is_authenticated:
        return login_redirect(request, post.get_absolute_url())
    raw = request.POST.get("value", "")
    if raw not in {*Reaction.Value.values, "none"}:
        return HttpResponseBadRequest(_("Choose like or dislike."))
    value = None if raw == "none" else raw
    state = services.reaction_set(post=post, user=request.user, value=value)
    if is_fragment(request):
        post.like_count = state.like_count
        post.dislike_count = state.dislike_count
        post.my_reaction = state.value
        context = {"post": post, "back": page_url(request)}
        return render(request, "blog/post_detail.html#reactions", context)
    if value is None:
        messages.success(request, _("Your reaction is taken back."))
    else:
        messages.success(request, _("Your reaction is saved."))
    return redirect(back_url(request, post.get_absolute_url()))


@require_POST
@vary_on_headers("HX-Request")
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_detail(pk=pk, user=request.user)
    if not request.user.is_authenticated:
        return login_redirect(request, f"{post.get_absolute_url()}#comment-form")
    form = CommentForm(request.POST)
    comment = None
    if form.is_valid():
        try:
            comment = services.comment_create(
                post=post, author=request.user, content=form.cleaned_data["content"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if comment is not None:
        if not is_fragment(request):
            messages.success(request, _("Your comment is added."))
            return redirect(comment)
        form = CommentForm()
    context = _detail_context(request, post, comment_form=form)
    if is_fragment(request):
        return render(request, "blog/post_detail.html#comments", context)
    return render(request, "blog/post_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def comment_update(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("author", "post"), pk=pk)
    services.ensure_can_change(user=request.user, obj=comment)
    # Its own ids: the form is swapped into a page that already has the new-comment form.
    form = CommentForm(
        _data(request), initial={"content": comment.content}, auto_id=f"id_comment{pk}_%s"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(
                comment=comment, user=request.user, content=form.cleaned_data["content"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if is_fragment(request):
                return render(request, "blog/post_detail.html#comment", {"comment": comment})
            messages.success(request, _("The comment is saved."))
            return redirect(comment)
    context = {"comment": comment, "form": form}
    if is_fragment(request):
        return render(request, "blog/comment_form.html#form", context)
    return render(request, "blog/comment_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("author", "post"), pk=pk)
    post = comment.post
    if not request.user.is_authenticated:
        next_url = (
            request.get_full_path() if request.method == "GET" else comment.get_absolute_url()
        )
        return login_redirect(request, next_url)
    if request.method == "GET":
        # The confirmation page of a browser without JavaScript (htmx asks with hx-confirm).
        services.ensure_can_change(user=request.user, obj=comment)
        return render(request, "blog/comment_confirm_delete.html", {"comment": comment})
    services.comment_delete(comment=comment, user=request.user)
    if is_fragment(request):
        post = selectors.post_detail(pk=post.pk, user=request.user)
        return render(request, "blog/post_detail.html#comments", _detail_context(request, post))
    messages.success(request, _("The comment is deleted."))
    return redirect(f"{post.get_absolute_url()}#comments")
