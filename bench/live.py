"""Live pages: what one change costs when many readers are spread over many posts.

`readers` SSE clients each read one post's live channel (`?channel=post-<id>`), spread
evenly over `posts` posts (10,000 over 1,000: ten readers a post). Then, `rounds` times, a
comment is written on one post through the API (`POST /api/posts/{id}/comments/`) and the
benchmark waits until that post's readers have both of its events (the comment, the counts).

Reported per size: the server's CPU per comment (the API request included, a fixed cost),
the events delivered and how many reached readers of other posts (none should), and the
time until the last reader had them. With the cost per change the same at 1,000 and 10,000
readers, a change costs its own post's readers only. Then a flood: `flood` reactions on one
post as fast as one client can send them, and how many count events each of its readers got
(coalesced: at most one per NOTIFY_LIVE_COALESCE_MS, the last state last).

    .venv/bin/python -m bench.run --only live                       # as `make bench` runs it
    .venv/bin/python -m bench.live --readers 100 --posts 20 --rounds 2   # a quick look
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from bench.common import BASE_DIR, DATA_DIR, PYTHON, attempt, daphne, server_env
from bench.fanout import Loadgens, servers_cpu_seconds

STREAM = "/notifications/stream/"


def ensure_posts(count: int) -> list[int]:
    """`count` posts in the benchmark database (made once), their ids."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.live", "--make-posts", str(count)],
        cwd=BASE_DIR,
        env=server_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def make_posts(count: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from blog.models import Post

    author = get_user_model().objects.get(username="bench")
    have = Post.objects.filter(title__startswith="Live post ").count()
    Post.objects.bulk_create(
        Post(author=author, title=f"Live post {i}", content="Read live.")
        for i in range(have, count)
    )
    ids = Post.objects.filter(title__startswith="Live post ").order_by("pk")
    print(json.dumps(list(ids.values_list("pk", flat=True)[:count])))


class Readers:
    def __init__(self, loadgens: Loadgens) -> None:
        self.loadgens = loadgens

    def count(self) -> tuple[int, float]:
        self.loadgens.send("live-count")
        answers = self.loadgens.read_all("live-count")
        return sum(a["n"] for a in answers), max(a["last"] for a in answers)

    def wait(self, total: int, timeout: float = 60) -> tuple[int, float]:
        deadline = time.monotonic() + timeout
        while True:
            n, last = self.count()
            if n >= total or time.monotonic() > deadline:
                return n, last
            time.sleep(0.02)


def readers_of(index: int, readers: int, posts: int) -> int:
    """How many of `readers` clients read post number `index` (client i reads i mod posts)."""
    return readers // posts + (1 if index < readers % posts else 0)


def run_one(
    size: int, ids: list[int], seed: dict, *, rounds: int, procs: int, batch: int, flood: int
) -> dict:
    paths = DATA_DIR / "live-paths.txt"
    paths.write_text("".join(f"{STREAM}?channel=post-{pk}\n" for pk in ids))
    app = daphne("daphne-live", server_env())
    posts = len(ids)
    result: dict = {"readers": size, "posts": posts, "readers_per_post": size / posts}
    with ExitStack() as stack:
        app.start("/")
        stack.callback(app.stop)
        http = httpx.Client(
            base_url=f"http://127.0.0.1:{app.port}",
            cookies={seed["session_cookie"]: seed["session"], "csrftoken": seed["csrf"]},
            headers={"X-CSRFToken": seed["csrf"]},
            timeout=120,
        )
        stack.callback(http.close)
        loadgens = Loadgens("sse", app.port, STREAM, size, procs, batch, paths_file=paths)
        stack.callback(loadgens.close)
        connected = loadgens.read_all("connected")
        result["connected"] = sum(c["ok"] for c in connected)
        readers = Readers(loadgens)
        # Warm up (imports, templates) on a post nobody reads... if there is one.
        http.post(f"/api/posts/{ids[-1]}/comments/", json={"content": "Warm-up."})
        time.sleep(1.0)
        rows = []
        for n in range(rounds):
            index = (n * 97) % min(posts, size)
            expected = 2 * readers_of(index, size, posts)  # the comment, then the counts
            before, _ = readers.count()
            cpu = servers_cpu_seconds([app])
            started = time.time()
            response = http.post(
                f"/api/posts/{ids[index]}/comments/", json={"content": f"Round {n}."}
            )
            response.raise_for_status()
            got, last = readers.wait(before + expected)
            cpu = servers_cpu_seconds([app]) - cpu
            time.sleep(0.5)  # anything that went astray arrives meanwhile
            after, _ = readers.count()
            rows.append(
                {
                    "post_readers": expected // 2,
                    "events": got - before,
                    "expected": expected,
                    "elsewhere": max(0, after - before - expected),
                    "cpu_ms": round(cpu * 1000, 2),
                    "last_seconds": round(last - started, 3) if got > before else None,
                }
            )
        result["rounds"] = rows
        result["cpu_ms_per_comment"] = round(statistics.median(r["cpu_ms"] for r in rows), 2)
        result["elsewhere"] = sum(r["elsewhere"] for r in rows)
        result["missing"] = sum(max(0, r["expected"] - r["events"]) for r in rows)
        if flood:
            result["flood"] = _flood(http, readers, ids[0], readers_of(0, size, posts), flood)
    return result


def _flood(http: httpx.Client, readers: Readers, post_id: int, post_readers: int, n: int) -> dict:
    before, _ = readers.count()
    started = time.monotonic()
    for i in range(n):
        action = "like" if i % 2 == 0 else "unlike"
        http.post(f"/api/posts/{post_id}/{action}/").raise_for_status()
    seconds = time.monotonic() - started
    time.sleep(1.5)  # the trailing event
    got, _ = readers.count()
    per_reader = (got - before) / post_readers if post_readers else None
    return {"changes": n, "seconds": round(seconds, 2), "events_per_reader": per_reader}


def run(seed: dict, sizes: list[int], posts: int, **options) -> list[dict]:
    ids = ensure_posts(posts)
    return [
        attempt(
            f"live pages: {size} readers over {posts} posts …",
            lambda: run_one(size, ids, seed, **options),  # noqa: B023 - called at once
            summary,
            readers=size,
            posts=posts,
        )
        for size in sizes
    ]


def summary(r: dict) -> str:
    if "error" in r:
        return f"ERROR {r['error']}"
    flood = r.get("flood") or {}
    return (
        f"{r['connected']}/{r['readers']} connected, {r['cpu_ms_per_comment']} ms CPU per "
        f"comment, {r['elsewhere']} events to other posts' readers, {r['missing']} missing; "
        f"flood of {flood.get('changes')}: {flood.get('events_per_reader')} events per reader"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--make-posts", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--readers", default="1000,10000")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--flood", type=int, default=200)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    if args.make_posts is not None:
        make_posts(args.make_posts)
        return
    os.chdir(Path(BASE_DIR))
    seed = json.loads((DATA_DIR / "seed.json").read_text())
    sizes = [int(s) for s in args.readers.split(",")]
    options = {"rounds": args.rounds, "procs": args.procs, "batch": args.batch}
    print(json.dumps(run(seed, sizes, args.posts, **options, flood=args.flood), indent=1))


if __name__ == "__main__":
    sys.exit(main())
