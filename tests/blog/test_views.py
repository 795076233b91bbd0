"""The blog's pages and htmx fragments: full page vs partial, writes, bad input, no-JS paths."""

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from blog import services
from blog.models import Comment, Post, Reaction
from tests.blog.factories import CommentFactory, PostFactory, ReactionFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def is_login_redirect(location: str, next_url: str) -> bool:
    url = urlsplit(location)
    return url.path == reverse("account_login") and parse_qs(url.query)["next"] == [next_url]


def shown_titles(response) -> list[str]:
    return [post.title for post in response.context["page_obj"]]


# --- list ---


def test_list_page_has_the_shell_search_and_live_region(client, post):
    response = client.get(reverse("blog:post-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert 'id="live-posts"' in html
    assert 'id="post-list"' in html
    assert 'role="search"' in html
    assert "Hello Agora" in html
    assert "HX-Request" in response["Vary"]
    # Results follow the typing, debounced, and the address bar follows the results.
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-push-url="true"' in html


def test_list_fragment_for_htmx_has_only_the_results(client, post):
    response = client.get(reverse("blog:post-list"), {"q": "hello"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'role="search"' not in html
    assert "Hello Agora" in html
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_whole_page(client, post):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    response = client.get(reverse("blog:post-list"), headers=headers)
    assert "<html" in response.content.decode()


def test_search_matches_title_and_content_and_keeps_the_query_in_links(client):
    PostFactory(title="Django tips", content="Use select_related.")
    PostFactory(title="Cooking", content="A django-shaped cake.")
    PostFactory(title="Gardening", content="Tomatoes.")
    PostFactory.create_batch(12, title="Django more", content="filler")
    response = client.get(reverse("blog:post-list"), {"q": "django"})
    assert response.context["page_obj"].paginator.count == 14
    assert "Gardening" not in shown_titles(response)
    # The pagination link keeps the search, so it can be bookmarked and followed.
    assert "?q=django&amp;page=2" in response.content.decode()


def test_search_needs_every_word(client):
    PostFactory(title="Django tips", content="queries")
    PostFactory(title="Django news", content="release")
    response = client.get(reverse("blog:post-list"), {"q": "django queries"})
    assert shown_titles(response) == ["Django tips"]


def test_filter_by_author(client, user, other_user):
    PostFactory(author=user, title="By alice")
    PostFactory(author=other_user, title="By bob")
    response = client.get(reverse("blog:post-list"), {"author": "bob"})
    assert shown_titles(response) == ["By bob"]
    assert "bob" in list(response.context["authors"])


def test_the_author_filter_offers_each_writer_once_and_nobody_else(client, user, other_user):
    from tests.factories import UserFactory

    PostFactory.create_batch(2, author=other_user)
    PostFactory(author=user)
    UserFactory.create_batch(5)  # people who never wrote
    response = client.get(reverse("blog:post-list"))
    assert list(response.context["authors"]) == sorted([user.username, other_user.username])
    options = re.findall(r'<option value="([^"]*)"', response.text)
    assert [o for o in options if o in {user.username, other_user.username}] == sorted(
        [user.username, other_user.username]
    )


def test_the_filter_form_shows_what_was_asked_and_every_author_as_they_are_now(
    client, user, other_user
):
    """The form is rendered once per version: the values asked for and the authors."""
    from django.contrib.auth import get_user_model

    url = reverse("blog:post-list")
    PostFactory(author=user)
    assert f'<option value="{other_user.username}"' not in client.get(url).text
    post = PostFactory(author=other_user)
    assert f'<option value="{other_user.username}">' in client.get(url).text
    get_user_model().objects.filter(pk=other_user.pk).update(username="robert")
    page = client.get(url, {"author": "robert", "q": "<b>tips</b>", "ordering": "liked"}).text
    assert '<option value="robert" selected>robert</option>' in page
    assert 'value="&lt;b&gt;tips&lt;/b&gt;"' in page
    assert '<option value="liked" selected>' in page
    page = client.get(url).text  # the unfiltered form again
    assert "tips" not in page
    assert '<option value="robert">robert</option>' in page
    post.delete()
    assert "robert" not in client.get(url).text
    # An author's own page has no author filter, and its form searches that author's posts.
    author_url = reverse("blog:author-posts", args=[user.username])
    page = client.get(author_url, {"q": "x"}).text
    assert 'id="id_author"' not in page
    assert f'<form method="get" action="{author_url}"' in page


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("new", ["quiet", "discussed", "liked"]),
        ("liked", ["liked", "quiet", "discussed"]),
        ("discussed", ["discussed", "quiet", "liked"]),
        ("nonsense", ["quiet", "discussed", "liked"]),
    ],
)
def test_orderings_and_unknown_falls_back_to_newest(client, ordering, expected):
    liked = PostFactory(title="liked")
    discussed = PostFactory(title="discussed")
    PostFactory(title="quiet")
    ReactionFactory.create_batch(2, post=liked)
    CommentFactory.create_batch(3, post=discussed)
    response = client.get(reverse("blog:post-list"), {"ordering": ordering})
    assert response.status_code == 200
    assert shown_titles(response) == expected


@pytest.mark.parametrize(("page", "number"), [("abc", 1), ("", 1), ("2", 2), ("999", 2), ("-1", 2)])
def test_bad_page_numbers_show_a_sensible_page(client, page, number):
    PostFactory.create_batch(15)
    response = client.get(reverse("blog:post-list"), {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == number


def test_list_shows_counts_and_my_reaction(user_client, user, other_user, post):
    ReactionFactory(post=post, user=user, value="like")
    ReactionFactory(post=post, user=other_user, value="like")
    CommentFactory(post=post)
    response = user_client.get(reverse("blog:post-list"))
    shown = response.context["page_obj"][0]
    assert (shown.like_count, shown.dislike_count, shown.comment_count) == (2, 0, 1)
    assert shown.my_reaction == "like"
    assert 'aria-pressed="true"' in response.content.decode()


def test_author_page_lists_only_their_posts(client, user, other_user):
    PostFactory(author=user, title="By alice")
    PostFactory(author=other_user, title="By bob")
    response = client.get(reverse("blog:author-posts", args=["alice"]))
    assert response.status_code == 200
    assert shown_titles(response) == ["By alice"]
    assert "Posts by alice" in response.content.decode()


def test_author_page_fragment_and_unknown_author(client, user):
    PostFactory(author=user, title="By alice")
    response = client.get(reverse("blog:author-posts", args=["alice"]), headers=HTMX)
    assert "<html" not in response.content.decode()
    assert client.get(reverse("blog:author-posts", args=["nobody"])).status_code == 404


# --- detail ---


def test_detail_page_renders_markdown_and_comments(client, post, comment):
    response = client.get(post.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<em>post</em>" in html
    assert "First comment" in html
    assert f'id="comment-{comment.pk}"' in html
    assert "Log in to comment." in html


@pytest.mark.parametrize("pk", [999999])
def test_missing_post_is_404(client, pk):
    assert client.get(reverse("blog:post-detail", args=[pk])).status_code == 404


def test_other_users_see_no_edit_links(other_client, post):
    html = other_client.get(post.get_absolute_url()).content.decode()
    assert reverse("blog:post-update", args=[post.pk]) not in html
    assert reverse("blog:post-delete", args=[post.pk]) not in html


# --- post create / update / delete ---


def test_create_post(user_client, user):
    response = user_client.post(
        reverse("blog:post-create"), {"title": "New", "content": "Some **text**"}
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    assert post.author == user


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "content": "text"}, "title"),
        ({"title": "x" * 300, "content": "text"}, "title"),
        ({"title": "Title", "content": ""}, "content"),
    ],
)
def test_create_post_bad_input_is_a_form_error(user_client, data, field):
    response = user_client.post(reverse("blog:post-create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Post.objects.exists()


def test_create_post_needs_login(client):
    url = reverse("blog:post-create")
    for response in (client.get(url), client.post(url, {"title": "T", "content": "C"})):
        assert response.status_code == 302
        assert is_login_redirect(response["Location"], url)
    assert not Post.objects.exists()


def test_update_post_bad_input_changes_nothing(user_client, post):
    response = user_client.post(
        reverse("blog:post-update", args=[post.pk]), {"title": "", "content": "x"}
    )
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.content == "First *post*."


def test_delete_confirmation_page(user_client, post):
    response = user_client.get(reverse("blog:post-delete", args=[post.pk]))
    assert response.status_code == 200
    assert "cannot be undone" in response.content.decode()


# --- reactions ---


def count_html(post, kind: str, n: int) -> str:
    """A reaction count as the page shows it (its id is where live updates land)."""
    return f'<span class="{kind}-count" id="post-{post.pk}-{kind}s" data-live="replace">{n}</span>'


def test_react_htmx_returns_the_reactions_fragment(user_client, user, post):
    url = reverse("blog:post-react", args=[post.pk])
    response = user_client.post(url, {"value": "like"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'class="reactions"' in html
    assert count_html(post, "like", 1) in html
    # The like button now takes the like back; dislike would switch.
    assert 'value="none"' in html
    assert 'value="dislike"' in html
    assert Reaction.objects.get().value == "like"


def test_react_switch_and_take_back_by_htmx(user_client, user, post):
    url = reverse("blog:post-react", args=[post.pk])
    user_client.post(url, {"value": "like"}, headers=HTMX)
    html = user_client.post(url, {"value": "dislike"}, headers=HTMX).content.decode()
    assert count_html(post, "like", 0) in html
    assert count_html(post, "dislike", 1) in html
    user_client.post(url, {"value": "none"}, headers=HTMX)
    assert not Reaction.objects.exists()


def test_react_without_js_redirects_back_with_a_message(user_client, post):
    url = reverse("blog:post-react", args=[post.pk])
    response = user_client.post(url, {"value": "like", "next": "/?page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/?page=2"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Your reaction is saved."]
    assert Reaction.objects.get().value == "like"


def test_react_refuses_a_foreign_next_url(user_client, post):
    url = reverse("blog:post-react", args=[post.pk])
    response = user_client.post(url, {"value": "like", "next": "https://evil.example/"})
    assert response["Location"] == post.get_absolute_url()


@pytest.mark.parametrize("value", ["love", "", "LIKE"])
def test_react_with_an_unknown_value_is_refused(user_client, post, value):
    response = user_client.post(reverse("blog:post-react", args=[post.pk]), {"value": value})
    assert response.status_code == 400
    assert not Reaction.objects.exists()


def test_react_to_a_missing_post_is_404(user_client):
    response = user_client.post(reverse("blog:post-react", args=[999999]), {"value": "like"})
    assert response.status_code == 404
    assert not Reaction.objects.exists()


def test_react_to_a_deleted_post_is_404(user_client, other_client, post):
    user_client.post(reverse("blog:post-delete", args=[post.pk]))
    response = other_client.post(
        reverse("blog:post-react", args=[post.pk]), {"value": "like"}, headers=HTMX
    )
    assert response.status_code == 404
    assert not Reaction.objects.exists()


def test_react_is_a_post_only(user_client, post):
    assert user_client.get(reverse("blog:post-react", args=[post.pk])).status_code == 405


# --- comments ---


def test_add_comment_by_htmx_returns_the_comments_fragment(other_client, other_user, post):
    url = reverse("blog:comment-create", args=[post.pk])
    response = other_client.post(url, {"content": "Great post"}, headers=HTMX)
    html = response.content.decode()
    comment = Comment.objects.get()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="comment-{comment.pk}"' in html
    assert "Great post" in html
    assert '<textarea name="content"' in html  # a fresh, empty form follows
    assert (comment.author, comment.post) == (other_user, post)


def test_add_comment_without_js_redirects_to_it(other_client, post):
    url = reverse("blog:comment-create", args=[post.pk])
    response = other_client.post(url, {"content": "Great post"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"


@pytest.mark.parametrize("headers", [{}, HTMX])
@pytest.mark.parametrize("content", ["", "   "])
def test_empty_comment_is_a_form_error(other_client, post, headers, content):
    url = reverse("blog:comment-create", args=[post.pk])
    response = other_client.post(url, {"content": content}, headers=headers)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Comment.objects.exists()


def test_comment_on_a_missing_post_is_404(other_client):
    url = reverse("blog:comment-create", args=[999999])
    assert other_client.post(url, {"content": "hi"}).status_code == 404


def test_edit_comment_in_place(user_client, comment):
    url = reverse("blog:comment-update", args=[comment.pk])
    form = user_client.get(url, headers=HTMX)
    assert "<html" not in form.content.decode()
    assert f'id="comment-{comment.pk}"' in form.content.decode()
    assert "<form" in form.content.decode()

    # The new-comment form on the same page keeps its ids to itself.
    assert 'id="id_content"' not in form.content.decode()

    saved = user_client.post(url, {"content": "Edited text"}, headers=HTMX)
    html = saved.content.decode()
    assert "<html" not in html
    assert "Edited text" in html
    assert "<textarea" not in html
    comment.refresh_from_db()
    assert comment.content == "Edited text"


def test_edit_comment_page_without_js(user_client, comment):
    url = reverse("blog:comment-update", args=[comment.pk])
    assert "<html" in user_client.get(url).content.decode()
    response = user_client.post(url, {"content": "Edited"})
    assert response["Location"] == comment.get_absolute_url()


def test_edit_comment_to_empty_is_refused(user_client, comment):
    url = reverse("blog:comment-update", args=[comment.pk])
    response = user_client.post(url, {"content": ""}, headers=HTMX)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    comment.refresh_from_db()
    assert comment.content == "First comment"


def test_delete_comment_by_htmx_rerenders_the_comments(user_client, comment):
    url = reverse("blog:comment-delete", args=[comment.pk])
    response = user_client.post(url, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "No comments yet." in html
    assert not Comment.objects.exists()


def test_delete_comment_without_js_has_a_confirmation_page(user_client, comment):
    url = reverse("blog:comment-delete", args=[comment.pk])
    page = user_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Delete this comment?" in html
    assert f'<form method="post" action="{url}"' in html
    assert "csrfmiddlewaretoken" in html
    assert f'href="{comment.get_absolute_url()}"' in html  # cancel
    assert Comment.objects.filter(pk=comment.pk).exists()

    response = user_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"{comment.post.get_absolute_url()}#comments"
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_comment_delete_button_opens_the_confirmation_page_without_js(user_client, comment):
    # The button's form: a plain GET to the confirmation page, an htmx POST that asks first.
    html = user_client.get(comment.post.get_absolute_url()).content.decode()
    url = reverse("blog:comment-delete", args=[comment.pk])
    assert f'<form method="get" action="{url}"' in html
    assert f'hx-post="{url}"' in html
    assert 'hx-confirm="Delete this comment?"' in html


@pytest.mark.parametrize(("role", "status"), [("other", 403), ("staff", 200), ("author", 200)])
def test_comment_confirmation_page_only_for_author_or_staff(clients, comment, role, status):
    response = clients[role].get(reverse("blog:comment-delete", args=[comment.pk]))
    assert response.status_code == status
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_comment_confirmation_page_of_a_missing_comment_is_404(user_client):
    assert user_client.get(reverse("blog:comment-delete", args=[999_999])).status_code == 404


def test_comment_confirmation_page_sends_anonymous_to_login_and_back(anon_client, comment):
    url = reverse("blog:comment-delete", args=[comment.pk])
    response = anon_client.get(url)
    assert response.status_code == 302
    assert is_login_redirect(response["Location"], url)


# --- markup ---


DATETIME = re.compile(r'datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4})"')


def test_datetime_attributes_have_no_microseconds(client, post, comment):
    # HTML allows at most three digits of a second's fraction; Django's "c" gave six.
    # Whole seconds with an offset are what the attribute needs.
    stamp = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    Post.objects.filter(pk=post.pk).update(created=stamp)
    Comment.objects.filter(pk=comment.pk).update(created=stamp)
    for url in (reverse("blog:post-list"), post.get_absolute_url()):
        html = client.get(url).content.decode()
        attributes = re.findall(r'datetime="([^"]*)"', html)
        assert attributes, url
        assert all(DATETIME.fullmatch(f'datetime="{value}"') for value in attributes), attributes
        assert "891011" not in html


def test_unread_badge_is_hidden_text_in_the_link_not_a_bare_aria_label(
    user_client, other_user, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the notification is sent then
        services.comment_create(post=post, author=other_user, content="Hi")
    html = user_client.get(reverse("blog:post-list")).content.decode()
    link = re.search(r'<a [^>]*id="nav-notifications">.*?</a>', html, re.S).group(0)
    assert '<span class="badge" id="unread-badge" data-count="1">' in link
    assert "aria-label" not in link
    assert '<span class="badge-count" aria-hidden="true">1</span>' in link
    assert '<span class="visually-hidden"> 1 unread</span>' in link
