"""The content version (config/versions.py): what is kept is never shown after a change.

These tests commit for real (`transactional_db`): the version moves on after a commit, and
a test's usual transaction never commits.
"""

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import services as blog_services
from blog.models import Post
from config import versions
from tests.blog.factories import PostFactory
from tests.factories import UserFactory
from tests.shop.factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


def list_queries(client: Client, url: str = "/") -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    posts_table = Post._meta.db_table
    reads = [q["sql"] for q in queries.captured_queries if f'FROM "{posts_table}"' in q["sql"]]
    return response.content.decode(), reads


def test_a_list_is_read_once_until_a_commit_changes_the_content():
    author = UserFactory(username="writer")
    PostFactory(author=author, title="First of all")
    client = Client()
    page, reads = list_queries(client)
    assert "First of all" in page and reads  # read from the database
    page, reads = list_queries(client)
    assert "First of all" in page and reads == []  # kept

    blog_services.post_create(author=author, title="Just in", content="News.")
    page, reads = list_queries(client)
    assert "Just in" in page and reads
    page, reads = list_queries(client)
    assert "Just in" in page and reads == []


def test_each_reader_and_each_list_is_kept_apart():
    author = UserFactory(username="writer")
    PostFactory(author=author, title="Alpha post")
    PostFactory(title="Beta post")
    anonymous = Client()
    assert "Beta post" in anonymous.get("/").content.decode()
    only_writer = anonymous.get("/?author=writer").content.decode()
    assert "Alpha post" in only_writer and "Beta post" not in only_writer
    reader = Client()
    reader.force_login(author)
    # The same list for another reader is read for them (their own reactions are in it).
    _page, reads = list_queries(reader)
    assert reads


def moved(write) -> bool:
    before = versions.current()
    write()
    return versions.current() != before


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda post: blog_services.post_update(
                post=post, user=post.author, title="Renamed", content=post.content
            ),
            id="service",
        ),
        pytest.param(lambda post: Post.objects.filter(pk=post.pk).update(title="X"), id="update"),
        pytest.param(lambda post: post.author.delete(), id="cascade"),
        pytest.param(
            lambda post: get_user_model().objects.filter(pk=post.author_id).update(username="z"),
            id="user-renamed",
        ),
        pytest.param(
            lambda post: connection.cursor().execute(
                f'UPDATE "{Post._meta.db_table}" SET "title" = %s', ["raw"]
            ),
            id="raw-sql",
        ),
        pytest.param(
            lambda post: Post.objects.bulk_create(
                [Post(author=post.author, title="t", content="c")]
            ),
            id="bulk-create",
        ),
    ],
)
def test_every_kind_of_content_write_moves_the_version(write):
    post = PostFactory()
    assert moved(lambda: write(post))


def test_reads_and_other_tables_leave_it():
    PostFactory()
    assert not moved(lambda: list(Post.objects.all()))
    assert not moved(
        lambda: Session.objects.create(
            session_key="k" * 32, session_data="", expire_date=timezone.now()
        )
    )


def test_a_transactions_own_writes_are_read_fresh_and_a_rollback_leaves_nothing():
    PostFactory(title="Committed post")
    client = Client()
    assert "Committed post" in client.get("/").content.decode()
    before = versions.current()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        PostFactory(title="Not yet committed")
        assert versions.current() is None  # nothing is kept or taken while it is pending
        assert "Not yet committed" in client.get("/").content.decode()
        raise Undo

    assert versions.current() == before
    page = client.get("/").content.decode()
    assert "Committed post" in page and "Not yet committed" not in page


def test_a_commit_in_another_process_reaches_a_running_server(daphne_server):
    # The server keeps its reads in its own memory; this test process is "another process".
    PostFactory(title="Before the change")
    first = httpx.get(daphne_server.url + "/").text
    assert "Before the change" in first
    assert httpx.get(daphne_server.url + "/").text.count("Before the change") == 1

    post = Post.objects.get()
    blog_services.post_update(post=post, user=post.author, title="After", content=post.content)
    page = httpx.get(daphne_server.url + "/").text
    assert "After" in page and "Before the change" not in page


def api_get(client: Client, url: str, **headers: str) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    posts_table = Post._meta.db_table
    reads = [q["sql"] for q in queries.captured_queries if f'FROM "{posts_table}"' in q["sql"]]
    return response, reads


def test_an_api_answer_is_made_once_per_version_for_each_caller_and_address():
    author = UserFactory(username="writer")
    PostFactory(author=author, title="Older")
    post = PostFactory(author=author, title="Newest, kept")
    reader = UserFactory(username="reader")
    blog_services.reaction_set(post=post, user=reader, value="like")
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(reader)

    first, reads = api_get(anonymous, "/api/posts/?limit=1")
    assert first.status_code == 200 and reads
    again, reads = api_get(anonymous, "/api/posts/?limit=1")
    assert again.json() == first.json() and reads == []
    assert first.json()["next"].startswith("http://testserver/")
    assert first.json()["results"][0]["my_reaction"] is None
    # Another caller: their own reaction. Another host: links that name it.
    mine, reads = api_get(signed_in, "/api/posts/?limit=1")
    assert mine.json()["results"][0]["my_reaction"] == "like" and reads
    other_host, _reads = api_get(anonymous, "/api/posts/?limit=1", Host="localhost")
    assert other_host.json()["next"].startswith("http://localhost/")
    # Authentication still comes first: a bad token is refused, not served what is kept.
    refused, _reads = api_get(anonymous, "/api/posts/?limit=1", **{"X-Session-Token": "nope"})
    assert refused.status_code == 401

    blog_services.reaction_set(post=post, user=reader, value=None)
    after, reads = api_get(signed_in, "/api/posts/?limit=1")
    assert reads and after.json()["results"][0]["my_reaction"] is None
    assert after.json()["results"][0]["like_count"] == 0


# -- the signed-in user, kept by config.middleware.AuthenticationMiddleware -----------------


def user_queries(client: Client, url: str = "/api/categories/") -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    users_table = get_user_model()._meta.db_table
    return response, sum(f'FROM "{users_table}"' in q["sql"] for q in queries.captured_queries)


def test_the_signed_in_user_is_read_once_per_version():
    client = Client()
    client.force_login(UserFactory(username="kept"))
    response, reads = user_queries(client)
    assert response.status_code == 200 and reads == 1
    _response, reads = user_queries(client)
    assert reads == 0
    assert "kept" in client.get("/").content.decode()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda user: (user.set_password("a new one 123"), user.save()), id="password"),
        pytest.param(lambda user: (setattr(user, "is_active", False), user.save()), id="inactive"),
        pytest.param(lambda user: user.delete(), id="deleted"),
    ],
)
def test_a_kept_user_is_signed_out_by_a_change_made_elsewhere(change):
    user = UserFactory(username="leaving")
    client = Client()
    client.force_login(user)
    assert user_queries(client)[1] == 1
    assert user_queries(client)[1] == 0  # kept
    change(get_user_model().objects.get(pk=user.pk))
    response = client.get("/shop/")
    assert "leaving" not in response.content.decode()
    assert client.get("/api/notifications/").status_code == 401


def test_a_rename_shows_on_the_next_request():
    user = UserFactory(username="before")
    client = Client()
    client.force_login(user)
    assert "before" in client.get("/").content.decode()
    get_user_model().objects.filter(pk=user.pk).update(username="after")
    page = client.get("/").content.decode()
    assert "after" in page and ">before<" not in page


@pytest.mark.parametrize("url", ["/", "/shop/", "/api/posts/", "/api/products/"])
def test_a_kept_list_costs_the_same_queries_whatever_its_length(url):
    reader = UserFactory(username="counting")
    client = Client()
    client.force_login(reader)

    def kept_cost() -> int:
        assert client.get(url).status_code == 200  # read, then kept
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    PostFactory.create_batch(2)
    ProductFactory.create_batch(2)
    few = kept_cost()
    PostFactory.create_batch(40)
    ProductFactory.create_batch(40)
    assert kept_cost() == few
