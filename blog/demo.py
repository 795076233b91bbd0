"""Demo content for `manage.py seed_demo`."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser

from blog import services
from blog.models import Comment, Post, Reaction

# (author index, title, Markdown content)
POSTS = [
    (
        0,
        "Welcome to Agora",
        "Agora is a small town square: a **blog**, a **shop** and live **notifications**.\n\n"
        "- Write a post in *Markdown*.\n"
        "- Like or dislike what others write, and change your mind later.\n"
        "- Comments appear in place, without reloading the page.\n\n"
        "Everything also works with JavaScript switched off.",
    ),
    (
        1,
        "Five queries, fifty posts",
        "A list page should cost the same whether it shows five posts or fifty.\n\n"
        "```python\n"
        "Post.objects.select_related('author').annotate(comment_count=...)\n"
        "```\n\n"
        "Counting with a correlated subquery keeps the joins from multiplying rows. "
        "See the [Django docs](https://docs.djangoproject.com/en/stable/ref/models/expressions/).",
    ),
    (
        2,
        "Заметки о хлебе на закваске",
        "Закваске нужно **время**, а не внимание.\n\n"
        "1. Покормите закваску вечером.\n"
        "2. Замесите тесто утром и дайте ему отдохнуть час.\n"
        "3. Пеките при 240 °C, первые 20 минут под крышкой.\n\n"
        "> Хороший хлеб не торопится.",
    ),
    (
        0,
        "HTMX without inline scripts",
        "A strict Content Security Policy forbids inline scripts and `hx-on` handlers. "
        "That is fine: every button here is a real form, and htmx only swaps the fragment "
        "the server sends back.",
    ),
    (
        1,
        "Weekend hike: the ridge trail",
        "Twelve kilometres, six hundred metres up, and one very windy summit.\n\n"
        "Bring water, a warm layer and *patience* for the last scramble.",
    ),
    (
        2,
        "Почему я пишу тесты первыми",
        "Тест — это первый пользователь кода. Если его неудобно писать, "
        "неудобно будет и всем остальным.\n\n"
        "Проверяйте *поведение*, а не реализацию.",
    ),
]

# (post index, commenter index, text)
COMMENTS = [
    (0, 1, "Glad to be here! The comments really do appear in place."),
    (0, 2, "Привет всем!"),
    (1, 0, "Subqueries for counts are the trick I always forget."),
    (2, 0, "Tried it this weekend: the crust was perfect."),
    (4, 2, "That last scramble is no joke."),
]

# (post index, user index, like or dislike)
REACTIONS = [
    (0, 1, Reaction.Value.LIKE),
    (0, 2, Reaction.Value.LIKE),
    (1, 0, Reaction.Value.LIKE),
    (1, 2, Reaction.Value.DISLIKE),
    (2, 0, Reaction.Value.LIKE),
    (2, 1, Reaction.Value.LIKE),
    (4, 0, Reaction.Value.LIKE),
    (5, 1, Reaction.Value.DISLIKE),
]


def seed(*, users: Sequence[AbstractBaseUser]) -> None:
    """Create this app's demo objects once; later runs change nothing."""
    if not users:
        return
    # Through the services, so the new objects notify like real ones; each exists-check keeps
    # a second run from creating (or announcing) anything twice.
    posts = []
    for author_index, title, content in POSTS:
        author = users[author_index % len(users)]
        post = Post.objects.filter(author=author, title=title).first()
        if post is None:
            post = services.post_create(author=author, title=title, content=content)
        posts.append(post)
    for post_index, user_index, text in COMMENTS:
        author = users[user_index % len(users)]
        post = posts[post_index]
        if not Comment.objects.filter(post=post, author=author, content=text).exists():
            services.comment_create(post=post, author=author, content=text)
    for post_index, user_index, value in REACTIONS:
        user = users[user_index % len(users)]
        post = posts[post_index]
        if not Reaction.objects.filter(post=post, user=user).exists():
            services.reaction_set(post=post, user=user, value=value)
