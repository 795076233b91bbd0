"""Seed the benchmark database and sign the benchmark's user in.

Run with the server's environment (`bench/common.py:server_env`) after `migrate`:
the demo data, then enough people, posts, reactions, comments and products that every list
page is full (20 posts with counts and the caller's reaction, 40 products).
Then `LISTENERS` more users, each signed in once, for the signed-in streams (each stream
client its own user and session, up to that many clients).
Writes `seed.json` (the user's session cookie, a CSRF token, the listeners' session keys)
next to the database.
"""

import json
import os
import random
import secrets
import string
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from blog import services as blog_services  # noqa: E402
from blog.models import Comment, Post, Reaction  # noqa: E402
from shop.models import Category, Product  # noqa: E402

USERS = 60
POSTS = 40
PRODUCTS = 40
# One user and session per signed-in stream client (BENCH_LISTENERS: fewer, for in-process runs).
LISTENERS = int(os.environ.get("BENCH_LISTENERS", 10_000))


def main(out: str) -> None:
    rng = random.Random(42)
    call_command("seed_demo", verbosity=0)
    User = get_user_model()
    people = [User.objects.create_user(f"reader{i:03}") for i in range(USERS)]
    bench = User.objects.create_user("bench", first_name="Bench")
    posts = []
    for i in range(POSTS):
        author = rng.choice(people)
        content = f"Post {i} of the benchmark.\n\n" + "Some **markdown** text. " * 40
        posts.append(
            blog_services.post_create(author=author, title=f"Benchmark post {i}", content=content)
        )
    reactions, comments = [], []
    for post in posts:
        for user in rng.sample(people, rng.randint(0, 25)):
            value = rng.choice([Reaction.Value.LIKE, Reaction.Value.DISLIKE])
            reactions.append(Reaction(post=post, user=user, value=value))
        if rng.random() < 0.5:
            reactions.append(Reaction(post=post, user=bench, value=Reaction.Value.LIKE))
        for j in range(rng.randint(0, 6)):
            author = rng.choice(people)
            comments.append(Comment(post=post, author=author, content=f"Comment {j}."))
    Reaction.objects.bulk_create(reactions)
    Comment.objects.bulk_create(comments)
    blog_services.post_counts_refresh()  # bulk_create went past the services' counters
    categories = list(Category.objects.all())
    Product.objects.bulk_create(
        Product(
            seller=rng.choice(people),
            category=rng.choice(categories) if categories else None,
            name=f"Benchmark product {i}",
            description="A thing for sale. " * 10,
            price=f"{rng.randint(1, 200)}.{rng.randint(0, 99):02}",
            stock=rng.randint(0, 9),
        )
        for i in range(PRODUCTS)
    )
    client = Client()
    client.force_login(bench, backend="django.contrib.auth.backends.ModelBackend")
    # Signed in the way django.contrib.auth.login leaves a session (what get_user checks).
    User.objects.bulk_create(
        User(username=f"listener{i:05}", password=make_password(None)) for i in range(LISTENERS)
    )
    sessions = []
    for listener in User.objects.filter(username__startswith="listener").order_by("pk"):
        session = SessionStore()
        session[SESSION_KEY] = str(listener.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = listener.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    seed = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "csrf": csrf,
        "user_id": bench.pk,
        "listener_sessions": sessions,
        "counts": {
            "users": User.objects.count(),
            "posts": Post.objects.count(),
            "reactions": Reaction.objects.count(),
            "comments": Comment.objects.count(),
            "products": Product.objects.count(),
        },
    }
    with open(out, "w") as f:
        json.dump(seed, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
