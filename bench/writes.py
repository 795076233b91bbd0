"""Write cost: creating a post (blog.services.post_create, with its broadcast notification)
with 10, 10,000 and 100,000 users in the database. In-process, on a database of its own.

argv: the sizes, comma-separated; the number of posts timed per size. Prints one JSON object.
"""

import json
import statistics
import sys
import time

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from blog import services  # noqa: E402
from shop.models import UserProfile  # noqa: E402


def grow_to(total: int) -> None:
    User = get_user_model()
    have = User.objects.count()
    password = make_password("bench-password")
    batch = 5000
    for start in range(have, total, batch):
        users = User.objects.bulk_create(
            User(username=f"user{i:06}", password=password)
            for i in range(start, min(start + batch, total))
        )
        UserProfile.objects.bulk_create(UserProfile(user=u) for u in users)


def main(sizes: list[int], posts: int) -> None:
    out = []
    for size in sizes:
        grow_to(size)
        author = get_user_model().objects.order_by("id").first()
        for i in range(5):  # warm: caches, lazy imports, the first statements' plans
            services.post_create(author=author, title=f"Warm {size}-{i}", content="Hello.")
        timings = []
        for i in range(posts):
            started = time.perf_counter()
            services.post_create(author=author, title=f"Post {size}-{i}", content="Hello.")
            timings.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            services.post_create(author=author, title=f"Counted {size}", content="Hello.")
        timings.sort()
        out.append(
            {
                "users": get_user_model().objects.count(),
                "posts_timed": posts,
                "median_ms": statistics.median(timings) * 1000,
                "p90_ms": timings[int(0.9 * (len(timings) - 1))] * 1000,
                "queries": len(queries.captured_queries),
                "sql": [q["sql"][:160] for q in queries.captured_queries],
            }
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1].split(",")], int(sys.argv[2]))
