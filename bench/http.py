"""Requests per second of Agora's pages and API, beside their floors, in one run.

Each server is started alone and measured with wrk (one thread, the same connections and
duration for every URL), signed in as the benchmark's user; queries per request are
counted separately, in-process (`bench/queries.py`). The servers:

- `floor`: a bare ASGI application (`bench.peers.floor`, no Django) on daphne;
- `bare`: a Django view with no middleware, no database (`bench.peers.bare`) on daphne,
  behind Django's own ASGI handler, and behind Agora's (`config/handlers.py`);
- `agora`: Agora on one daphne process (with the DRF peer's and the raw endpoints);
- `agora-sse`: `/` on a fresh Agora daphne, then the same with `--sse-clients` streams open
  (anonymous, `bench/loadgen.py`);
- `bare-gunicorn`, `agora-gunicorn`: the bare view and Agora's views under gunicorn, one
  sync worker (WSGI);
- `pushpin-daphne`, `pushpin-gunicorn`: Agora behind Pushpin (the GRIP layout) served by
  one daphne, or by gunicorn with one sync worker per CPU.
"""

import json
import os
import re
import shutil
import subprocess
import time
from contextlib import ExitStack

import httpx

from bench.common import (
    BASE_DIR,
    DATA_DIR,
    PYTHON,
    Process,
    cpu_seconds,
    daphne,
    pushpin_process,
    server_env,
)
from tests.live import free_port

SETTINGS = "bench.peers.drf_peer.settings"
BARE = "bench.peers.bare"
FLOOR_APP = "bench.peers.floor:application"
SETUPS = (
    "floor",
    "bare",
    "bare-agora-handler",
    "agora",
    "agora-sse",
    "bare-gunicorn",
    "agora-gunicorn",
    "pushpin-daphne",
    "pushpin-gunicorn",
)
LABELS = {
    "floor": "bare ASGI app (no Django), daphne",
    "bare": "bare Django view, no middleware, daphne (Django's ASGI handler)",
    "bare-agora-handler": "bare Django view, no middleware, daphne (Agora's ASGI handler)",
    "agora": "Agora, one daphne",
    "agora-sse": "Agora, one daphne, then {sse} SSE clients connected",
    "bare-gunicorn": "bare Django view, gunicorn, 1 sync worker",
    "agora-gunicorn": "Agora, gunicorn, 1 sync worker",
    "pushpin-daphne": "Agora behind Pushpin, one daphne",
    "pushpin-gunicorn": "Agora behind Pushpin, gunicorn, {workers} sync workers",
}
# name -> path; "post" is the newest post's page, found in the seed's database.
AGORA_PAGES = {
    "api": "/api/posts/",
    "drf": "/drf/posts/",
    "raw": "/raw/posts/",
    "categories": "/api/categories/",
    "blog": "/",
    "shop": "/shop/",
    "post": None,
}
PAGE_LABELS = {
    "api": "API list, Agora (django-ninja)",
    "drf": "API list, DRF peer",
    "raw": "API list, raw `.values()` limit",
    "categories": "API, a tiny list",
    "blog": "blog list",
    "shop": "catalogue",
    "post": "post page",
    "blog-streams": "blog list, SSE clients connected",
    "bare": "bare view",
    "floor": "bare ASGI app",
}


def _agora(*args: str) -> str:
    """The last line a Python command prints in Agora's server environment."""
    out = subprocess.run(
        [PYTHON, *args], cwd=BASE_DIR, env=server_env(SETTINGS), capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(f"{args} failed: {out.stderr[-2000:]}")
    return out.stdout.strip().splitlines()[-1]


def count_queries(paths: list[str]) -> dict:
    return json.loads(_agora("-m", "bench.queries", str(DATA_DIR / "seed.json"), *paths))


def newest_post_path() -> str:
    return _agora("manage.py", "shell", "-c", NEWEST_POST)


NEWEST_POST = (
    "from blog.models import Post; print(Post.objects.order_by('-created').first()"
    ".get_absolute_url())"
)


def _seconds(value: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", value)
    if match is None:
        raise ValueError(f"wrk printed a latency of {value!r}: did every request fail?")
    number, unit = match.groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(url: str, cookie: str, connections: int, duration: int) -> dict:
    out = subprocess.run(
        [
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    ).stdout
    if "Requests/sec" not in out or "Latency Distribution" not in out:
        raise RuntimeError(f"wrk gave no measurement for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # The percentile lines of --latency, not a "+/- Stdev" column that ends in 50%.
    p50 = re.search(r"^\s+50%\s+(\S+)$", out, re.MULTILINE).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)$", out, re.MULTILINE).group(1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50": _seconds(p50),
        "p99": _seconds(p99),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def gunicorn(name: str, env: dict[str, str], app: str, workers: int) -> Process:
    port = free_port()
    args = [
        PYTHON,
        "-m",
        "gunicorn",
        f"--workers={workers}",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        "--backlog=1024",
        app,
    ]
    return Process(name, args, env, DATA_DIR / f"{name}.log", port)


def servers(setup: str, workers: int) -> tuple[list[Process], Process]:
    """(every process to start, in order; the one wrk talks to)."""
    agora, bare = server_env(SETTINGS), server_env(BARE)
    if setup == "floor":
        app = daphne("daphne-floor", server_env(ASGI_APP=FLOOR_APP))
    elif setup == "bare":
        app = daphne("daphne-bare", {**bare, "ASGI_APP": "bench.peers.bare_app:django_asgi"})
    elif setup == "bare-agora-handler":
        app = daphne("daphne-bare-agora", {**bare, "ASGI_APP": "bench.peers.bare_app:agora_asgi"})
    elif setup in {"agora", "agora-sse"}:
        app = daphne("daphne-http", agora)
    elif setup == "bare-gunicorn":
        app = gunicorn("gunicorn-bare", bare, "bench.peers.bare_app:wsgi", 1)
    elif setup == "agora-gunicorn":
        app = gunicorn("gunicorn-agora", agora, "config.wsgi:application", 1)
    elif setup in {"pushpin-daphne", "pushpin-gunicorn"}:
        if setup == "pushpin-daphne":
            origin = daphne("daphne-grip-http", agora)
        else:
            origin = gunicorn("gunicorn-grip", agora, "config.wsgi:application", workers)
        proxy = pushpin_process(origin.port)
        origin.env["GRIP_URL"] = proxy.extra["grip_url"]
        return [origin, proxy], proxy
    else:
        raise ValueError(f"unknown setup {setup!r}")
    return [app], app


def pages_of(setup: str, post: str) -> dict[str, str]:
    if setup == "floor":
        return {"floor": "/"}
    if setup in {"bare", "bare-agora-handler", "bare-gunicorn"}:
        return {"bare": "/bare/categories/"}
    pages = {**AGORA_PAGES, "post": post}
    if setup == "agora":
        return pages
    if setup == "agora-sse":
        return {"blog": pages["blog"], "blog-streams": pages["blog"]}
    if setup == "agora-gunicorn":
        return {k: v for k, v in pages.items() if k not in {"drf", "raw"}}
    return {k: pages[k] for k in ("categories", "api", "blog")}  # behind Pushpin


def measure(
    setup: str,
    seed: dict,
    post: str,
    *,
    connections: int,
    duration: int,
    sse_clients: int,
    workers: int,
) -> list[dict]:
    from bench.fanout import Loadgens

    processes, edge = servers(setup, workers)
    cookie = f"{seed['session_cookie']}={seed['session']}"
    base = f"http://127.0.0.1:{edge.port}"
    pages = pages_of(setup, post)
    rows = []
    with ExitStack() as stack:
        for process in processes:
            process.start(None if process.name == "pushpin" else "/")
            stack.callback(process.stop)
        with httpx.Client(base_url=base, cookies={seed["session_cookie"]: seed["session"]}) as c:
            ready(c, "/")
            for path in pages.values():
                for _ in range(20):  # warm: imports, caches, rendered fragments
                    c.get(path).raise_for_status()
        for name, path in pages.items():
            if name == "blog-streams":
                # The same page of the same process, now with the streams open.
                streams = Loadgens("sse", edge.port, "/notifications/stream/", sse_clients, 2, 50)
                stack.callback(streams.close)
                connected = sum(c["ok"] for c in streams.read_all("connected"))
                if connected < sse_clients:
                    raise RuntimeError(f"only {connected} of {sse_clients} SSE clients connected")
            print(f"http {setup} {name} {path} …", flush=True)
            time.sleep(1)
            cpu_before = cpu_seconds(processes[0].pid)
            measured = wrk(base + path, cookie, connections, duration)
            cpu = cpu_seconds(processes[0].pid) - cpu_before
            requests = measured["rps"] * duration
            rows.append(
                {
                    "setup": setup,
                    "page": name,
                    "path": path,
                    **measured,
                    # The serving process's CPU per request (gunicorn: its master only, so
                    # left out there).
                    "cpu_ms": None if "gunicorn" in setup else cpu * 1000 / max(requests, 1),
                }
            )
            print(f"    {measured['rps']:.0f} req/s", flush=True)
    return rows


def ready(client: httpx.Client, path: str, seconds: float = 30) -> None:
    """Wait until `path` answers 200 (Pushpin listens before its route to the origin works)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if client.get(path).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{client.base_url}{path} did not answer 200 in {seconds} s")
        time.sleep(0.2)


def find(rows: list[dict], setup: str, page: str) -> dict | None:
    return next((r for r in rows if r["setup"] == setup and r["page"] == page), None)


def ratio(a: dict | None, b: dict | None) -> float | None:
    return a["rps"] / b["rps"] if a and b and b["rps"] else None


def run(
    seed: dict,
    *,
    connections: int = 8,
    duration: int = 10,
    sse_clients: int = 5000,
    workers: int | None = None,
    setups: tuple[str, ...] = SETUPS,
) -> dict:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    workers = workers or os.cpu_count() or 2
    post = newest_post_path()
    paths = [p or post for p in AGORA_PAGES.values()]
    queries = count_queries(paths)
    rows = []
    for setup in setups:
        rows += measure(
            setup,
            seed,
            post,
            connections=connections,
            duration=duration,
            sse_clients=sse_clients,
            workers=workers,
        )
    for row in rows:
        if row["path"] in queries and row["setup"] != "floor" and "bare" not in row["setup"]:
            q = queries[row["path"]]
            row.update(queries=q["queries"], bytes=q["bytes"], status=q["status"], sql=q["sql"])
    ratios = {
        "agora_vs_drf": ratio(find(rows, "agora", "api"), find(rows, "agora", "drf")),
        "agora_vs_raw": ratio(find(rows, "agora", "api"), find(rows, "agora", "raw")),
        "categories_vs_bare": ratio(find(rows, "agora", "categories"), find(rows, "bare", "bare")),
        "categories_vs_bare_agora_handler": ratio(
            find(rows, "agora", "categories"), find(rows, "bare-agora-handler", "bare")
        ),
        "sse_vs_none": ratio(
            find(rows, "agora-sse", "blog-streams"), find(rows, "agora-sse", "blog")
        ),
    }
    return {
        "connections": connections,
        "duration": duration,
        "sse_clients": sse_clients,
        "workers": workers,
        "rows": rows,
        "ratios": ratios,
    }


if __name__ == "__main__":
    import argparse

    from bench.fanout import load_seed

    parser = argparse.ArgumentParser(description="a short run of some setups, for a check")
    parser.add_argument("--setups", default=",".join(SETUPS))
    parser.add_argument("--duration", type=int, default=2)
    parser.add_argument("--sse-clients", type=int, default=100)
    args = parser.parse_args()
    result = run(
        load_seed(),
        duration=args.duration,
        sse_clients=args.sse_clients,
        setups=tuple(args.setups.split(",")),
    )
    print(json.dumps(result["ratios"]))
