"""The admin: posts with their comments inline, search, filters and reaction counts."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog import services
from blog.models import Comment, Post, Reaction
from notify.models import Notification
from tests import spies
from tests.blog.factories import CommentFactory, PostFactory, ReactionFactory

pytestmark = pytest.mark.django_db


def test_post_changelist_shows_counts(admin_client, post, user, other_user):
    ReactionFactory(post=post, user=user, value="like")
    ReactionFactory(post=post, user=other_user, value="dislike")
    CommentFactory.create_batch(3, post=post)
    response = admin_client.get(reverse("admin:blog_post_changelist"))
    row = response.context["cl"].result_list[0]
    assert (row.like_count, row.dislike_count, row.comment_count) == (1, 1, 3)


def test_post_changelist_search_and_author_filter(admin_client, user, other_user):
    PostFactory(author=user, title="Django tips")
    PostFactory(author=other_user, title="Gardening")
    url = reverse("admin:blog_post_changelist")
    found = admin_client.get(url, {"q": "django"}).context["cl"].result_list
    assert [p.title for p in found] == ["Django tips"]
    filtered = admin_client.get(url, {"author__id__exact": other_user.pk}).context["cl"]
    assert [p.title for p in filtered.result_list] == ["Gardening"]


def test_post_changelist_can_sort_by_likes(admin_client, user):
    liked = PostFactory(title="liked")
    PostFactory(title="plain")
    ReactionFactory(post=liked, user=user)
    response = admin_client.get(reverse("admin:blog_post_changelist"), {"o": "-4"})
    assert [p.title for p in response.context["cl"].result_list] == ["liked", "plain"]


def test_post_change_page_has_comments_inline(admin_client, post, comment):
    response = admin_client.get(reverse("admin:blog_post_change", args=[post.pk]))
    assert response.status_code == 200
    assert "First comment" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "admin:blog_post_changelist",
        "admin:blog_comment_changelist",
        "admin:blog_reaction_changelist",
    ],
)
def test_admin_lists_cost_the_same_for_5_or_50_rows(admin_client, name):
    def add_and_count(n: int) -> int:
        for _ in range(n):
            comment = CommentFactory()
            ReactionFactory(post=comment.post)
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse(name)).status_code == 200
        return len(captured)

    assert add_and_count(5) == add_and_count(45)


# Saves and deletes in the admin go through blog.services, as the site's do.


def spy(monkeypatch, name: str) -> list[dict]:
    return spies.spy(monkeypatch, services, name)


def post_data(**fields) -> dict:
    # The comments inline's management form comes with every post form.
    return {
        "title": "From the admin",
        "content": "Hello *everybody*.",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        **fields,
    }


def inline_data(post, comments, extra: int = 0) -> dict:
    data = post_data(title=post.title, content=post.content)
    data["comments-TOTAL_FORMS"] = str(len(comments) + extra)
    data["comments-INITIAL_FORMS"] = str(len(comments))
    for i, comment in enumerate(comments):
        data[f"comments-{i}-id"] = str(comment.pk)
        data[f"comments-{i}-post"] = str(post.pk)
        data[f"comments-{i}-content"] = comment.content
    return data


@pytest.mark.parametrize("chosen", [False, True])
def test_post_added_in_admin_is_announced_to_everybody(
    admin_client, admin_user, user, chosen, django_capture_on_commit_callbacks
):
    author = user if chosen else admin_user  # no author chosen: the admin posts it
    assert admin_client.get(reverse("admin:blog_post_add")).status_code == 200
    data = post_data(author=str(user.pk) if chosen else "")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:blog_post_add"), data)
    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.author, post.title) == (author, "From the admin")
    notification = Notification.objects.get()
    assert notification.kind == Notification.Kind.NEW_POST
    assert (notification.recipient, notification.actor) == (None, author)
    assert notification.url == post.get_absolute_url()


def test_post_edited_in_admin_goes_through_post_update(
    admin_client, admin_user, post, other_user, monkeypatch
):
    calls = spy(monkeypatch, "post_update")
    url = reverse("admin:blog_post_change", args=[post.pk])
    # The author is read-only here: post_update changes the title and the text only.
    data = post_data(title="  Edited title  ", content=post.content, author=str(other_user.pk))
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert calls == [{"post": post.pk, "user": admin_user.pk, "title": "Edited title"}]
    post.refresh_from_db()
    assert (post.title, post.author.username) == ("Edited title", "alice")


def test_admin_shows_a_service_refusal_instead_of_a_500(admin_client, post, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"title": "Refused by the service."})

    monkeypatch.setattr(services, "post_update", refuse)
    url = reverse("admin:blog_post_change", args=[post.pk])
    response = admin_client.post(url, post_data(title="New title"), follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Refused by the service." in response.text
    post.refresh_from_db()
    assert post.title == "Hello Agora"


def test_post_edit_in_admin_keeps_the_comment_inline_working(admin_client, post, comment):
    url = reverse("admin:blog_post_change", args=[post.pk])
    assert admin_client.post(url, inline_data(post, [comment])).status_code == 302
    comment.refresh_from_db()
    assert comment.edited is None  # unchanged, so not marked edited


def test_inline_comment_edit_add_and_delete_go_through_the_services(
    admin_client, admin_user, post, comment, django_capture_on_commit_callbacks, monkeypatch
):
    deleted = spy(monkeypatch, "comment_delete")
    doomed = CommentFactory(post=post, content="Delete me")
    data = inline_data(post, [comment, doomed], extra=1)
    data["comments-0-content"] = "Moderated."
    data["comments-1-DELETE"] = "on"
    data["comments-2-content"] = "A word from the moderator."
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:blog_post_change", args=[post.pk]), data)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.content == "Moderated."
    assert comment.edited is not None  # comment_update marks an edit
    assert deleted == [{"comment": doomed.pk, "user": admin_user.pk}]
    added = Comment.objects.get(content="A word from the moderator.")
    assert added.author == admin_user
    # comment_create told the post's author.
    assert Notification.objects.get(kind=Notification.Kind.COMMENT).recipient == post.author


def test_comment_added_in_admin_notifies_the_posts_author(
    admin_client, admin_user, post, django_capture_on_commit_callbacks
):
    assert admin_client.get(reverse("admin:blog_comment_add")).status_code == 200
    data = {"post": str(post.pk), "author": "", "content": "  Welcome!  "}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:blog_comment_add"), data)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author, comment.content) == (admin_user, "Welcome!")
    notification = Notification.objects.get()
    assert notification.kind == Notification.Kind.COMMENT
    assert (notification.recipient, notification.actor) == (post.author, admin_user)


def test_comment_edited_in_admin_is_marked_edited(admin_client, admin_user, comment, monkeypatch):
    calls = spy(monkeypatch, "comment_update")
    url = reverse("admin:blog_comment_change", args=[comment.pk])
    response = admin_client.post(url, {"content": "Tidied up by a moderator."})
    assert response.status_code == 302
    assert [(call["user"], call["content"]) for call in calls] == [
        (admin_user.pk, "Tidied up by a moderator.")
    ]
    comment.refresh_from_db()
    assert comment.content == "Tidied up by a moderator."
    assert comment.edited is not None


@pytest.mark.parametrize(
    ("model", "service", "factory"),
    [("post", "post_delete", PostFactory), ("comment", "comment_delete", CommentFactory)],
)
def test_delete_in_admin_goes_through_the_service(
    admin_client, monkeypatch, model, service, factory
):
    calls = spy(monkeypatch, service)
    obj = factory()
    url = reverse(f"admin:blog_{model}_delete", args=[obj.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert [call[model] for call in calls] == [obj.pk]
    assert not type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(
    ("model", "service", "factory"),
    [("post", "post_delete", PostFactory), ("comment", "comment_delete", CommentFactory)],
)
def test_bulk_delete_in_admin_goes_through_the_service(
    admin_client, admin_user, monkeypatch, model, service, factory
):
    calls = spy(monkeypatch, service)
    doomed = factory.create_batch(2)
    kept = factory()
    data = {"action": "delete_selected", "_selected_action": [o.pk for o in doomed], "post": "yes"}
    response = admin_client.post(reverse(f"admin:blog_{model}_changelist"), data)
    assert response.status_code == 302
    assert sorted(call[model] for call in calls) == sorted(o.pk for o in doomed)
    assert {call["user"] for call in calls} == {admin_user.pk}
    assert list(type(kept).objects.values_list("pk", flat=True)) == [kept.pk]


def test_reactions_in_admin_go_through_reaction_set(
    admin_client, post, other_user, monkeypatch, django_capture_on_commit_callbacks
):
    calls = spy(monkeypatch, "reaction_set")
    data = {"post": str(post.pk), "user": str(other_user.pk), "value": "like"}
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(reverse("admin:blog_reaction_add"), data).status_code == 302
    reaction = Reaction.objects.get()
    change = reverse("admin:blog_reaction_change", args=[reaction.pk])
    assert admin_client.post(change, {"value": "dislike"}).status_code == 302
    delete = reverse("admin:blog_reaction_delete", args=[reaction.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert [call["value"] for call in calls] == ["like", "dislike", None]
    assert not Reaction.objects.exists()
    notification = Notification.objects.get()  # as when bob likes it on the site
    assert (notification.kind, notification.recipient, notification.actor) == (
        Notification.Kind.REACTION,
        post.author,
        other_user,
    )
