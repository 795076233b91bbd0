"""The blog's JSON API: posts, comments and reactions for every kind of caller."""

import pytest

from blog import selectors
from blog.models import Comment, Post, Reaction
from tests.apiclient import assert_error, count_queries, send
from tests.blog.factories import CommentFactory, PostFactory, ReactionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "author", "other", "staff"]
# Who may change a post or comment, and what the others get.
CHANGE_STATUS = {"anonymous": 401, "author": 200, "other": 403, "staff": 200}
DELETE_STATUS = {"anonymous": 401, "author": 204, "other": 403, "staff": 204}


# --- the main paths ------------------------------------------------------------------


def test_the_main_paths_answer(client, user_client, post):
    assert client.get("/api/posts/").status_code == 200
    created = send(user_client, "post", "/api/posts/", {"title": "T", "content": "C"})
    assert created.status_code == 201
    assert send(user_client, "post", f"/api/posts/{post.pk}/like/").json()["my_reaction"] == "like"
    assert send(user_client, "post", f"/api/posts/{post.pk}/unlike/").json()["my_reaction"] is None


# --- listing -------------------------------------------------------------------------


def test_list_is_paginated_with_count_and_links(client, user):
    PostFactory.create_batch(25, author=user)
    first = client.get("/api/posts/").json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/posts/?")
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert "offset=0" in second["previous"]
    assert not {p["id"] for p in first["results"]} & {p["id"] for p in second["results"]}


@pytest.mark.parametrize(
    ("offset", "limit", "shown"),
    [(0, 20, 7), (0, 7, 7), (0, 3, 3), (5, 20, 2), (6, 1, 1), (7, 5, 0), (40, 5, 0)],
)
def test_every_page_counts_the_whole_list(client, user, offset, limit, shown):
    # A last page is counted from its own rows, the others (and one past the end) by the
    # database: the count is the same.
    PostFactory.create_batch(7, author=user)
    page = client.get(f"/api/posts/?offset={offset}&limit={limit}").json()
    assert page["count"] == 7 and len(page["results"]) == shown
    assert (page["next"] is None) == (offset + limit >= 7)


def test_list_links_keep_the_filters(client, user):
    PostFactory.create_batch(3, author=user, title="Tea time")
    page = client.get("/api/posts/?q=tea&limit=1").json()
    assert "q=tea" in page["next"] and "limit=1" in page["next"]


def test_list_filters_by_words_author_and_orders(client, user, other_user):
    tea = PostFactory(author=user, title="Green tea", content="Leaves.")
    coffee = PostFactory(author=other_user, title="Coffee", content="Beans.")
    ReactionFactory(post=coffee, user=user)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/posts/?{query}")
        assert response.status_code == 200
        return [p["id"] for p in response.json()["results"]]

    assert ids("q=tea") == [tea.pk]
    assert ids("author=bob") == [coffee.pk]
    assert ids("ordering=liked") == [coffee.pk, tea.pk]
    assert ids("ordering=new") == [coffee.pk, tea.pk]


def test_a_post_embeds_author_counts_and_the_callers_reaction(client, user_client, user, post):
    user.profile.display_name = "Alice A."
    user.profile.save()
    ReactionFactory(post=post, user=user, value="dislike")
    CommentFactory(post=post)
    anonymous = client.get("/api/posts/").json()["results"][0]
    mine = user_client.get("/api/posts/").json()["results"][0]
    assert anonymous["author"] == {"id": user.pk, "username": "alice", "display_name": "Alice A."}
    assert (anonymous["like_count"], anonymous["dislike_count"]) == (0, 1)
    assert anonymous["comment_count"] == 1
    assert anonymous["my_reaction"] is None
    assert mine["my_reaction"] == "dislike"
    assert mine["url"] == post.get_absolute_url()


def test_a_bad_filter_is_a_422_naming_it(client):
    error = assert_error(client.get("/api/posts/?ordering=sideways&limit=0"), 422, "invalid")
    assert set(error["fields"]) == {"ordering", "limit"}


def make_posts(n: int, reader) -> None:
    authors = UserFactory.create_batch(3)
    for i in range(n):
        post = PostFactory(author=authors[i % 3])
        CommentFactory(post=post, author=authors[(i + 1) % 3])
        ReactionFactory(post=post, user=authors[(i + 2) % 3], value="dislike")
        ReactionFactory(post=post, user=reader, value="like")


@pytest.mark.parametrize("who", ["anonymous", "author"])
def test_the_list_costs_the_same_for_5_or_50_posts(clients, user, who):
    client = clients[who]
    make_posts(5, user)
    few = count_queries(client, "/api/posts/?limit=100")
    make_posts(45, user)
    assert count_queries(client, "/api/posts/?limit=100") == few
    assert few <= 4  # (session, user,) count, page


def test_comments_cost_the_same_for_5_or_50(client, post):
    commenters = UserFactory.create_batch(5)
    for i in range(5):
        CommentFactory(post=post, author=commenters[i])
    few = count_queries(client, f"/api/posts/{post.pk}/comments/?limit=100")
    few_detail = count_queries(client, f"/api/posts/{post.pk}/")
    for i in range(45):
        CommentFactory(post=post, author=commenters[i % 5])
    assert count_queries(client, f"/api/posts/{post.pk}/comments/?limit=100") == few
    assert count_queries(client, f"/api/posts/{post.pk}/") == few_detail


# --- one post ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_anybody_reads_a_post_with_its_comments(clients, post, comment, who):
    response = clients[who].get(f"/api/posts/{post.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Hello Agora"
    assert [c["id"] for c in body["comments"]] == [comment.pk]
    assert body["comments"][0]["author"]["username"] == "alice"


def test_a_missing_post_is_404(client):
    assert_error(client.get("/api/posts/999999/"), 404, "not_found")
    assert_error(client.get(f"/api/posts/{2**70}/"), 404, "not_found")


@pytest.mark.parametrize("who", ROLES)
def test_only_signed_in_users_publish(clients, user, who):
    response = send(clients[who], "post", "/api/posts/", {"title": " New ", "content": "Body"})
    if who == "anonymous":
        assert_error(response, 401, "not_authenticated")
        assert not Post.objects.exists()
        return
    assert response.status_code == 201
    body = response.json()
    post = Post.objects.get()
    assert body["id"] == post.pk
    assert post.title == "New"  # the service cleans it, as for the HTML form
    assert body["author"]["username"] == post.author.username
    assert (body["like_count"], body["comment_count"], body["my_reaction"]) == (0, 0, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "x"}, "title"),
        ({"title": "x"}, "content"),
        ({"title": "   ", "content": "x"}, "title"),
        ({"title": "x" * 201, "content": "x"}, "title"),
        ({"title": 5, "content": "x"}, "title"),
        ({"title": "a\x00b", "content": "x"}, "title"),
        ({"title": "x", "content": "x", "author": 2}, "author"),
    ],
    ids=["missing title", "missing content", "blank", "too long", "number", "NUL", "unknown"],
)
def test_invalid_posts_are_422_naming_the_field(user_client, body, field):
    error = assert_error(send(user_client, "post", "/api/posts/", body), 422, "invalid")
    assert field in error["fields"]
    assert not Post.objects.exists()


@pytest.mark.parametrize("who", ROLES)
def test_put_replaces_for_author_and_staff_only(clients, post, who):
    response = send(clients[who], "put", f"/api/posts/{post.pk}/", {"title": "T2", "content": "C2"})
    assert response.status_code == CHANGE_STATUS[who]
    post.refresh_from_db()
    if CHANGE_STATUS[who] == 200:
        assert response.json()["title"] == "T2"
        assert (post.title, post.content) == ("T2", "C2")
    else:
        assert post.title == "Hello Agora"


@pytest.mark.parametrize("who", ROLES)
def test_patch_changes_only_what_is_sent(clients, post, who):
    response = send(clients[who], "patch", f"/api/posts/{post.pk}/", {"title": "Patched"})
    assert response.status_code == CHANGE_STATUS[who]
    post.refresh_from_db()
    if CHANGE_STATUS[who] == 200:
        assert (post.title, post.content) == ("Patched", "First *post*.")
    else:
        assert post.title == "Hello Agora"


def test_patch_refuses_null_and_put_needs_every_field(user_client, post):
    url = f"/api/posts/{post.pk}/"
    assert_error(send(user_client, "patch", url, {"title": None}), 422, "invalid")
    error = assert_error(send(user_client, "put", url, {"title": "Only"}), 422, "invalid")
    assert "content" in error["fields"]
    post.refresh_from_db()
    assert post.title == "Hello Agora"


@pytest.mark.parametrize("who", ROLES)
def test_delete_by_author_or_staff_only(clients, post, who):
    response = clients[who].delete(f"/api/posts/{post.pk}/")
    assert response.status_code == DELETE_STATUS[who]
    assert Post.objects.filter(pk=post.pk).exists() == (DELETE_STATUS[who] != 204)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_changing_a_missing_post_is_404(user_client, method):
    body = None if method == "delete" else {"title": "T", "content": "C"}
    assert_error(send(user_client, method, "/api/posts/424242/", body), 404, "not_found")


# --- reactions -----------------------------------------------------------------------


def test_like_dislike_unlike_return_counts_and_the_callers_reaction(user_client, post):
    ReactionFactory(post=post, value="like")
    url = f"/api/posts/{post.pk}"
    assert send(user_client, "post", f"{url}/like/").json() == {
        "like_count": 2,
        "dislike_count": 0,
        "my_reaction": "like",
    }
    assert send(user_client, "post", f"{url}/dislike/").json() == {
        "like_count": 1,
        "dislike_count": 1,
        "my_reaction": "dislike",
    }
    # "unlike" takes back whatever the reaction was, and twice is harmless.
    for _ in range(2):
        assert send(user_client, "post", f"{url}/unlike/").json() == {
            "like_count": 1,
            "dislike_count": 0,
            "my_reaction": None,
        }
    assert not Reaction.objects.filter(post=post, user__username="alice").exists()


@pytest.mark.parametrize("action", ["like", "dislike", "unlike"])
@pytest.mark.parametrize("who", ROLES)
def test_reactions_need_a_user(clients, post, who, action):
    response = clients[who].post(f"/api/posts/{post.pk}/{action}/")
    if who == "anonymous":
        assert_error(response, 401, "not_authenticated")
        assert not Reaction.objects.exists()
    else:
        assert response.status_code == 200
        expected = {"like": "like", "dislike": "dislike", "unlike": None}[action]
        assert response.json()["my_reaction"] == expected


@pytest.mark.parametrize("action", ["like", "dislike", "unlike"])
def test_reacting_to_a_missing_post_is_404(user_client, action):
    assert_error(user_client.post(f"/api/posts/9999/{action}/"), 404, "not_found")


# --- comments ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_anybody_lists_comments_oldest_first(clients, post, who):
    first = CommentFactory(post=post)
    second = CommentFactory(post=post)
    response = clients[who].get(f"/api/posts/{post.pk}/comments/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [c["id"] for c in body["results"]] == [first.pk, second.pk]
    assert body["results"][0]["post_id"] == post.pk


def test_comments_of_a_missing_post_are_404(client):
    assert_error(client.get("/api/posts/9999/comments/"), 404, "not_found")


@pytest.mark.parametrize("who", ROLES)
def test_signed_in_users_comment(clients, post, who):
    response = send(clients[who], "post", f"/api/posts/{post.pk}/comments/", {"content": "Hi!"})
    if who == "anonymous":
        assert_error(response, 401)
        assert not Comment.objects.exists()
        return
    assert response.status_code == 201
    comment = Comment.objects.get()
    assert response.json()["id"] == comment.pk
    assert response.json()["content"] == "Hi!"
    assert response.json()["edited"] is None


def test_invalid_comments_are_422(user_client, post):
    url = f"/api/posts/{post.pk}/comments/"
    for body in ({}, {"content": ""}, {"content": "x" * 5001}, {"content": "x", "post": 1}):
        assert_error(send(user_client, "post", url, body), 422, "invalid")
    assert_error(send(user_client, "post", "/api/posts/9999/comments/", {"content": "x"}), 404)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("who", ROLES)
def test_anybody_reads_a_comment(clients, comment, who):
    response = clients[who].get(f"/api/comments/{comment.pk}/")
    assert response.status_code == 200
    assert response.json()["content"] == "First comment"
    assert_error(clients[who].get("/api/comments/9999/"), 404, "not_found")


@pytest.mark.parametrize("who", ROLES)
def test_comment_edit_by_author_or_staff_only(clients, comment, who):
    response = send(clients[who], "patch", f"/api/comments/{comment.pk}/", {"content": "Edited"})
    assert response.status_code == CHANGE_STATUS[who]
    comment.refresh_from_db()
    if CHANGE_STATUS[who] == 200:
        assert comment.content == "Edited"
        assert response.json()["edited"] is not None
    else:
        assert comment.content == "First comment"
        assert comment.edited is None


@pytest.mark.parametrize("who", ROLES)
def test_comment_delete_by_author_or_staff_only(clients, comment, who):
    response = clients[who].delete(f"/api/comments/{comment.pk}/")
    assert response.status_code == DELETE_STATUS[who]
    assert Comment.objects.filter(pk=comment.pk).exists() == (DELETE_STATUS[who] != 204)


def test_comment_get_selector_reads_one_comment_with_author_and_post(comment):
    from django.http import Http404

    found = selectors.comment_get(pk=comment.pk)
    assert found == comment
    assert found._state.fields_cache.keys() >= {"author", "post"}
    with pytest.raises(Http404):
        selectors.comment_get(pk=comment.pk + 1)
