"""The blog as people use it: signing up and writing, reacting, commenting."""

from io import StringIO

from django.core.management import call_command
from playwright.sync_api import Page, expect

from blog import services as blog
from blog.models import Comment, Post, Reaction
from tests.e2e.conftest import assert_same_page, mark_page, screenshot
from tests.factories import UserFactory


def test_a_visitor_signs_up_writes_a_post_and_sees_it_on_top_of_the_blog(live, page_for):
    call_command("seed_demo", "--no-admin", stdout=StringIO())
    page = page_for()

    page.goto("/")
    expect(page.locator("#post-list article.post-card")).to_have_count(6)
    page.get_by_role("link", name="Sign up").click()
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=email]", "newcomer@example.com")
    page.fill("input[name=password1]", "a-long-fresh-passphrase")
    page.fill("input[name=password2]", "a-long-fresh-passphrase")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".nav-profile")).to_have_text("newcomer")

    page.get_by_role("link", name="Write a post").click()
    page.fill("input[name=title]", "Hello from a newcomer")
    page.fill(
        "textarea[name=content]",
        "My **first** post on Agora.\n\n- a blog\n- a shop\n- live notifications",
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    post = Post.objects.get(title="Hello from a newcomer")
    assert post.author.username == "newcomer"
    assert page.url == live.url + post.get_absolute_url()
    expect(page.locator("#messages")).to_contain_text("Your post is published.")
    expect(page.locator("h1.post-title")).to_have_text("Hello from a newcomer")
    expect(page.locator(".prose strong")).to_have_text("first")
    expect(page.locator(".prose li")).to_have_count(3)
    screenshot(page, "post")

    page.locator(".nav-links").get_by_role("link", name="Blog").click()
    cards = page.locator("#post-list article.post-card")
    expect(cards).to_have_count(7)
    expect(cards.first).to_have_id(f"post-{post.pk}")
    expect(cards.first.locator(".post-title")).to_have_text("Hello from a newcomer")
    expect(cards.first.locator(".post-meta")).to_contain_text("newcomer")
    screenshot(page, "blog-list")


def reactions(page: Page, post: Post):
    form = page.locator(f"#post-{post.pk} .reactions")
    like = form.locator("button.reaction", has=page.locator(".like-count"))
    dislike = form.locator("button.reaction", has=page.locator(".dislike-count"))
    return like, dislike


def assert_reactions(page: Page, post: Post, likes: int, dislikes: int, mine: str | None) -> None:
    like, dislike = reactions(page, post)
    expect(like.locator(".like-count")).to_have_text(str(likes))
    expect(dislike.locator(".dislike-count")).to_have_text(str(dislikes))
    expect(like).to_have_attribute("aria-pressed", "true" if mine == "like" else "false")
    expect(dislike).to_have_attribute("aria-pressed", "true" if mine == "dislike" else "false")


def test_like_switch_to_dislike_and_take_it_back_in_place(live, page_for):
    author = UserFactory(username="carol")
    reader = UserFactory(username="bob")
    post = blog.post_create(author=author, title="Sourdough notes", content="Time, not care.")
    blog.reaction_set(post=post, user=UserFactory(username="dave"), value="like")
    page = page_for(reader)
    page.goto(post.get_absolute_url())
    url = page.url
    assert_reactions(page, post, 1, 0, None)
    like, dislike = reactions(page, post)

    mark_page(page)
    like.click()
    assert_reactions(page, post, 2, 0, "like")
    dislike.click()
    assert_reactions(page, post, 1, 1, "dislike")
    assert_same_page(page, url)
    assert Reaction.objects.get(post=post, user=reader).value == "dislike"

    page.reload()
    assert_reactions(page, post, 1, 1, "dislike")
    mark_page(page)
    dislike.click()
    assert_reactions(page, post, 1, 0, None)
    assert_same_page(page, url)

    page.reload()
    assert_reactions(page, post, 1, 0, None)
    assert not Reaction.objects.filter(post=post, user=reader).exists()


def test_comment_edit_and_delete_in_place(live, page_for):
    author = UserFactory(username="carol")
    reader = UserFactory(username="bob")
    post = blog.post_create(author=author, title="Ridge trail", content="Twelve kilometres.")
    page = page_for(reader)
    page.goto(post.get_absolute_url())
    url = page.url
    expect(page.locator("#comments .comment-count")).to_have_text("0")
    mark_page(page)

    page.fill("#comment-form textarea[name=content]", "Which way did you go down?")
    page.locator("#comment-form").get_by_role("button", name="Comment").click()
    comment_card = page.locator("#comment-list article.comment")
    expect(comment_card).to_have_count(1)
    expect(comment_card.locator(".comment-body")).to_have_text("Which way did you go down?")
    expect(page.locator("#comments .comment-count")).to_have_text("1")
    expect(page.locator("#comment-form textarea[name=content]")).to_have_value("")
    comment = Comment.objects.get(post=post)
    expect(comment_card).to_have_id(f"comment-{comment.pk}")

    comment_card.get_by_role("link", name="Edit").click()
    editor = page.locator(f"form#comment-{comment.pk}")
    expect(editor).to_be_visible()
    editor.locator("textarea[name=content]").fill("Which way did you go down, the north path?")
    editor.get_by_role("button", name="Save").click()
    card = page.locator(f"article#comment-{comment.pk}")
    expect(card.locator(".comment-body")).to_have_text("Which way did you go down, the north path?")
    expect(card.locator(".comment-meta")).to_contain_text("edited")
    comment.refresh_from_db()
    assert comment.content == "Which way did you go down, the north path?"

    page_for.expect_dialog("confirm", "Delete this comment?")
    card.get_by_role("button", name="Delete").click()
    expect(page.locator("#comment-list article.comment")).to_have_count(0)
    expect(page.locator("#comment-list")).to_contain_text("No comments yet.")
    expect(page.locator("#comments .comment-count")).to_have_text("0")
    assert not Comment.objects.filter(post=post).exists()
    assert page_for.watch.expected_dialogs == []  # the confirmation was asked, and accepted
    assert_same_page(page, url)
