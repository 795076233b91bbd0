"""CPU per request in-process, signed in: a figure that stays stable on a busy machine.

    .venv/bin/python -m bench.inprocess                    # seed a fresh database, measure
    .venv/bin/python -m bench.inprocess --via asgi         # through Django's ASGI handler
    .venv/bin/python -m bench.inprocess --profile /        # then a pyinstrument profile of /
    .venv/bin/python -m bench.inprocess --layers --paths /api/categories/   # each middleware

It seeds `bench/.data/inprocess.sqlite3` (as `make bench` seeds its database, without the
stream listeners) and runs production mode (`bench/common.py:server_env`). Each path is
requested `--n` times after a warm-up, in five rounds; the figure is this process's CPU
time (`time.process_time`, every thread) per request in the cheapest round, which other
processes on the machine move far less than wall-clock requests per second.

`--via`: `client` is Django's test client (no database connection opened or closed per
request, as in the tests); `wsgi` calls the WSGI handler as gunicorn would (the request
signals included: a connection per request unless CONN_MAX_AGE keeps it); `asgi` drives
`config.asgi.application` on an event loop as daphne does (its thread hop included),
everything but daphne's own HTTP parsing.
"""

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import time
from types import SimpleNamespace

ROUNDS = 5  # the least of the rounds: what the code costs, less what other load adds
PATHS = ["/", "/shop/", "POST", "/api/posts/", "/api/categories/", "/api/products/"]


def prepare(db: str) -> None:
    from bench.common import BASE_DIR, PYTHON, manage, server_env

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    env = server_env(DATABASE_URL=f"sqlite:///{db}", BENCH_LISTENERS="0")
    manage(env, "migrate", "--noinput")
    seed = db + ".seed.json"
    subprocess.run([PYTHON, "-m", "bench.seed", seed], cwd=BASE_DIR, env=env, check=True)
    argv = [PYTHON, "-m", "bench.inprocess", "--measure", seed, *sys.argv[1:]]
    subprocess.run(argv, cwd=BASE_DIR, env=env, check=True)


class Wsgi:
    """GET through the WSGI application, as a WSGI server calls it."""

    def __init__(self, cookie: str) -> None:
        from config.wsgi import application

        self.app, self.cookie = application, cookie

    def get(self, path: str) -> SimpleNamespace:
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": self.cookie,
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
        }
        status = []
        body = self.app(environ, lambda s, headers, exc_info=None: status.append(s))
        content = b"".join(body)
        body.close()
        return SimpleNamespace(status_code=int(status[0].split()[0]), content=content)


class Asgi:
    """GET through `config.asgi.application` on one event loop, as daphne drives it."""

    def __init__(self, cookie: str) -> None:
        from config.asgi import application

        self.app, self.cookie = application, cookie
        self.loop = asyncio.new_event_loop()

    def get(self, path: str):
        from tests.asgi import asgi_request

        headers = [(b"cookie", self.cookie.encode())]
        return self.loop.run_until_complete(asgi_request(self.app, path, headers=headers))


def make_client(via: str, cookie_name: str, session: str):
    if via == "wsgi":
        return Wsgi(f"{cookie_name}={session}")
    if via == "asgi":
        return Asgi(f"{cookie_name}={session}")
    from django.test import Client

    client = Client()
    client.cookies[cookie_name] = session
    return client


def cpu_per_request(client, path: str, n: int) -> float:
    """ms of this process's CPU per request of `path`: the cheapest of ROUNDS rounds."""
    for _ in range(5):
        status = client.get(path).status_code
        assert status == 200, f"{path}: {status}"
    rounds = []
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(n):
            client.get(path)
        rounds.append((time.process_time() - start) / n * 1000)
    return min(rounds)


def measure_layers(new_client, paths: list[str], n: int) -> dict:
    """What each middleware costs: the path's CPU with the whole chain, less without it."""
    from django.conf import settings
    from django.test.utils import override_settings

    out = {}
    for path in paths:
        full = cpu_per_request(new_client(), path, n)
        out[path] = {"all": round(full, 3)}
        for layer in settings.MIDDLEWARE:
            with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != layer]):
                try:
                    without = cpu_per_request(new_client(), path, n)
                except Exception as exc:
                    out[path][layer] = f"needed ({type(exc).__name__})"
                    continue
            out[path][layer] = round(full - without, 3)
            print(f"{path:<20} {layer:<60} {full - without:6.3f} ms", flush=True)
    return out


def measure(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.conf import settings

    from blog.models import Post

    with open(args.measure) as f:
        seed = json.load(f)

    def new_client():
        return make_client(args.via, settings.SESSION_COOKIE_NAME, seed["session"])

    client = new_client()
    post = Post.objects.order_by("-created").first().get_absolute_url()
    paths = [post if p == "POST" else p for p in args.paths.split(",")]
    out = {}
    for path in paths:
        out[path] = round(cpu_per_request(client, path, args.n), 2)
        print(f"{path:<24} {out[path]:6.2f} ms CPU/request ({args.via})", flush=True)
    if args.layers:
        print(json.dumps({"layers": measure_layers(new_client, paths, args.n)}), flush=True)
    if args.profile:
        from pyinstrument import Profiler

        path = post if args.profile == "POST" else args.profile
        with Profiler(interval=0.0002) as profiler:
            for _ in range(args.n):
                client.get(path)
        print(profiler.output_text(unicode=True, color=False, flat=args.flat))
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="requests per path and round")
    parser.add_argument("--paths", default=",".join(PATHS), help="POST = the newest post")
    parser.add_argument("--via", choices=["client", "wsgi", "asgi"], default="client")
    parser.add_argument("--layers", action="store_true", help="each middleware's cost")
    parser.add_argument("--profile", help="a path to profile with pyinstrument after")
    parser.add_argument("--flat", action="store_true", help="the profile by own time")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args)
    else:
        from bench.common import DATA_DIR

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        prepare(str(DATA_DIR / "inprocess.sqlite3"))


if __name__ == "__main__":
    main()
