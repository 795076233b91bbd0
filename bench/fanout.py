"""Streaming fan-out: N clients on one server process, then one broadcast to all of them.

Variants (each on a fresh server per size, so memory starts from the same point):

* `agora`: daphne serving Agora, SSE at /notifications/stream/ (embedded mode: the event
  fans out inside the process that stored it); the broadcast is a post created through
  `POST /api/posts/` by a signed-in user.
* `agora-signed-in`: the same, every client signed in (a session cookie of one of the seed's
  listeners, round-robin): the stream request looks the session and the user up, and the
  stream has the user's own channel too.
* `floor`: the same daphne serving a bare ASGI application (`bench/peers/floor.py`) that
  writes one pre-encoded frame to each open stream's `send`: the least any stream server on
  daphne can cost, measured in the same run. Broadcast: `POST /broadcast/`.
* `agora-pushpin`: the same daphne behind Pushpin (GRIP_URL); the clients connect to
  Pushpin, daphne answers each stream request once and publishes to Pushpin's control port.
  Anonymous streams (one channel: Pushpin holds them on its plain twin, no filter per stream).
* `agora-pushpin-signed-in`: the same, signed in as in `agora-signed-in` (two channels each:
  Pushpin builds each stream's event id with its `build-id` filter, and asks Django once
  about each reader's stream after subscribing to the reader's own channel).
* `channels-memory`, `channels-redis`: the brief's original design
  (`bench/peers/channels_peer`), a Channels WebSocket consumer in a group and `group_send`,
  with the in-memory layer or channels_redis.

CPU is read from /proc for every process serving the clients (daphne; with Pushpin, all of
Pushpin's processes too; with channels_redis, Redis too): per connect (the connect phase's
CPU ÷ clients connected) and per client per broadcast (a round's CPU ÷ the clients open in
that round, the median of the rounds; it includes the publishing request itself, a fixed
cost).
"""

import json
import os
import statistics
import subprocess
import time
from contextlib import ExitStack, suppress
from pathlib import Path

import httpx

from bench.common import (
    BASE_DIR,
    DATA_DIR,
    PYTHON,
    Process,
    attempt,
    children,
    cpu_seconds,
    daphne,
    listen_drops,
    pushpin_process,
    redis_process,
    rss_kb,
    server_env,
    tree_rss_kb,
)

VARIANTS = (
    "floor",
    "agora",
    "agora-signed-in",
    "agora-pushpin",
    "agora-pushpin-signed-in",
    "channels-memory",
    "channels-redis",
)
PUSHPIN = {"agora-pushpin", "agora-pushpin-signed-in"}
SIGNED_IN = {"agora-signed-in", "agora-pushpin-signed-in"}
PEER_SETTINGS = "bench.peers.channels_peer.settings"
PEER_APP = "bench.peers.channels_peer.asgi:application"
FLOOR_APP = "bench.peers.floor:application"


class Loadgens:
    """Client processes, each holding its share of the connections from its own address."""

    def __init__(
        self,
        mode: str,
        port: int,
        path: str,
        count: int,
        procs: int,
        batch: int,
        extra: tuple[str, ...] = (),
        cookies_file: Path | None = None,
        paths_file: Path | None = None,
    ):
        self.procs: list[subprocess.Popen] = []
        share = [count // procs + (1 if i < count % procs else 0) for i in range(procs)]
        for i, n in enumerate(share):
            if n == 0:
                continue
            options = list(extra)
            if cookies_file is not None:
                # Round-robin over the sessions across the processes: process i starts where
                # process i - 1's clients end.
                options += [f"--cookies-file={cookies_file}", f"--cookie-offset={sum(share[:i])}"]
            if paths_file is not None:
                options += [f"--paths-file={paths_file}", f"--path-offset={sum(share[:i])}"]
            args = [
                PYTHON,
                "-m",
                "bench.loadgen",
                mode,
                f"--port={port}",
                f"--path={path}",
                f"--count={n}",
                f"--batch={batch}",
                f"--source=127.0.0.{2 + i}",
                *options,
            ]
            self.procs.append(
                subprocess.Popen(
                    args,
                    cwd=BASE_DIR,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    bufsize=1,
                )
            )

    def read_all(self, event: str) -> list[dict]:
        answers = []
        for proc in self.procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"a load generator exited (code {proc.wait()})")
            answer = json.loads(line)
            if answer["event"] != event:
                raise RuntimeError(f"expected {event}, got {answer}")
            answers.append(answer)
        return answers

    def send(self, command: str) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(command + "\n")
            proc.stdin.flush()

    def close(self) -> None:
        with suppress(OSError):
            self.send("quit")
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def cookies_file(seed: dict) -> Path:
    """The seed's listener sessions as Cookie header values, one a line, for the loadgen."""
    path = DATA_DIR / "listener-cookies.txt"
    name = seed["session_cookie"]
    path.write_text("".join(f"{name}={key}\n" for key in seed["listener_sessions"]))
    return path


def servers_cpu_seconds(processes: list[Process]) -> float:
    """CPU of every process serving the clients, with their children (Pushpin's several)."""
    total = 0.0
    for process in processes:
        for pid in [process.pid, *children(process.pid)]:
            with suppress(OSError):  # gone meanwhile
                total += cpu_seconds(pid)
    return total


def pushpin_log_size() -> int:
    log = DATA_DIR / "pushpin.log"
    return log.stat().st_size if log.exists() else 0


def pushpin_settled(offset: int, quiet: float = 2.0, limit: float = 600.0) -> float:
    """Seconds until Pushpin has asked no next link for `quiet` seconds (from its log)."""
    started = last_change = time.monotonic()
    seen = -1
    while time.monotonic() - last_change < quiet and time.monotonic() - started < limit:
        with (DATA_DIR / "pushpin.log").open("rb") as log:
            log.seek(offset)
            asked = sum(1 for line in log if b"[handler] GET" in line and b"link=next" in line)
        if asked != seen:
            seen, last_change = asked, time.monotonic()
        time.sleep(0.25)
    return last_change - started


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Trigger:
    """Publishes one broadcast the way the variant does it."""

    def __init__(self, port: int, seed: dict, peer: bool) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.peer = peer
        self.http = httpx.Client(
            base_url=self.url,
            cookies={seed["session_cookie"]: seed["session"], "csrftoken": seed["csrf"]},
            headers={"X-CSRFToken": seed["csrf"]},
            timeout=120,
        )
        self.n = 0

    def fire(self) -> float:
        self.n += 1
        started = time.monotonic()
        if self.peer:
            response = self.http.post("/broadcast/")
        else:
            response = self.http.post(
                "/api/posts/",
                json={"title": f"Broadcast {self.n}", "content": "Fan-out benchmark."},
            )
        response.raise_for_status()
        return time.monotonic() - started


def servers(variant: str, seed: dict) -> tuple[list[Process], Process, Process]:
    """(every process to start in order, the one clients connect to, the one that publishes)."""
    if variant in {"agora", "agora-signed-in"}:
        app = daphne("daphne-agora", server_env())
        return [app], app, app
    if variant == "floor":
        app = daphne("daphne-floor", server_env(ASGI_APP=FLOOR_APP))
        return [app], app, app
    if variant in PUSHPIN:
        # Pushpin needs the origin's port and daphne needs Pushpin's control URL.
        app = daphne("daphne-grip", server_env())
        proxy = pushpin_process(app.port)
        app.env["GRIP_URL"] = proxy.extra["grip_url"]
        return [app, proxy], proxy, app
    extra = {"ASGI_APP": PEER_APP}
    if variant == "channels-redis":
        redis = redis_process()
        extra["CHANNELS_REDIS_URL"] = f"redis://127.0.0.1:{redis.port}/0"
        app = daphne("daphne-channels-redis", server_env(PEER_SETTINGS, **extra))
        return [redis, app], app, app
    app = daphne("daphne-channels-memory", server_env(PEER_SETTINGS, **extra))
    return [app], app, app


def run_one(variant: str, size: int, seed: dict, *, rounds: int, procs: int, batch: int) -> dict:
    processes, edge, origin = servers(variant, seed)
    websocket = variant.startswith("channels")
    path = "/ws/notifications/" if websocket else "/notifications/stream/"
    mode = "ws" if websocket else "sse"
    cookies = cookies_file(seed) if variant in SIGNED_IN else None
    result: dict = {"variant": variant, "clients": size, "client_processes": procs}
    with ExitStack() as stack:
        for process in processes:
            ready = None if process.name in {"redis", "pushpin"} else "/"
            process.start(ready)
            stack.callback(process.stop)
        held_by = [p for p in processes if p.name != "redis"]  # memory: what holds streams
        # Warm up: a few streams open, get one broadcast and close, so lazy imports (the first
        # publish imports django_grip) and caches are in the baseline, not in the first round.
        trigger = Trigger(origin.port, seed, peer=websocket or variant == "floor")
        warm = Loadgens(mode, edge.port, path, 20, 1, 20, cookies_file=cookies)
        warm.read_all("connected")
        warm.send("expect 10")
        warm.read_all("armed")
        warm_cpu = servers_cpu_seconds(processes)
        trigger.fire()
        warm.read_all("received")
        warm_cpu = servers_cpu_seconds(processes) - warm_cpu
        warm.close()
        time.sleep(1.0)
        before = {p.name: tree_rss_kb(p.pid) for p in held_by}
        cpu_before = cpu_seconds(origin.pid)
        all_cpu_before = servers_cpu_seconds(processes)
        drops_before = listen_drops()
        log_offset = pushpin_log_size() if variant in PUSHPIN else 0
        loadgens = Loadgens(mode, edge.port, path, size, procs, batch, cookies_file=cookies)
        stack.callback(loadgens.close)
        connected = loadgens.read_all("connected")
        ok = sum(c["ok"] for c in connected)
        seconds = max(c["seconds"] for c in connected)
        errors: dict[str, int] = {}
        for c in connected:
            for name, n in c["errors"].items():
                errors[name] = errors.get(name, 0) + n
        connect_cpu = servers_cpu_seconds(processes) - all_cpu_before
        drops = listen_drops() - drops_before
        if variant in PUSHPIN:
            # Pushpin asks each stream's next link once after it first subscribes to one of
            # its channels (a reader's own: one per signed-in reader), 10 links a second.
            result["settle_seconds"] = round(pushpin_settled(log_offset), 1)
        time.sleep(3.0)  # idle
        after = {p.name: tree_rss_kb(p.pid) for p in held_by}
        delta_kb = sum(after.values()) - sum(before.values())
        result.update(
            connected=ok,
            failed=sum(c["failed"] for c in connected),
            connect_errors=errors,
            connect_seconds=round(seconds, 3),
            connect_rate=round(ok / seconds, 1) if seconds else None,
            connect_listen_drops=drops,
            connect_cpu_seconds=round(cpu_seconds(origin.pid) - cpu_before, 2),
            connect_servers_cpu_seconds=round(connect_cpu, 2),
            connect_cpu_ms=round(connect_cpu * 1000 / ok, 3) if ok else None,
            warm_broadcast_cpu_seconds=round(warm_cpu, 2),
            rss_before_kb=before,
            rss_idle_kb=after,
            kb_per_connection=round(delta_kb / ok, 1) if ok else None,
        )
        all_latencies: list[float] = []
        per_round = []
        for _ in range(rounds):
            loadgens.send(f"expect {max(30, size / 200)}")
            loadgens.read_all("armed")
            cpu_before = cpu_seconds(origin.pid)
            all_cpu_before = servers_cpu_seconds(processes)
            request_seconds = trigger.fire()
            received = loadgens.read_all("received")
            all_cpu = servers_cpu_seconds(processes) - all_cpu_before
            latencies = [x for r in received for x in r["latencies"]]
            all_latencies += latencies
            # The clients still open in this round (a peer may have dropped some).
            live = len(latencies) + sum(r["missing"] for r in received)
            per_round.append(
                {
                    "received": len(latencies),
                    "missing": sum(r["missing"] for r in received),
                    "p50": percentile(latencies, 50),
                    "p99": percentile(latencies, 99),
                    "max": max(latencies, default=None),
                    "publish_request_seconds": round(request_seconds, 3),
                    "server_cpu_seconds": round(cpu_seconds(origin.pid) - cpu_before, 2),
                    "servers_cpu_seconds": round(all_cpu, 2),
                    "open_clients": live,
                    "cpu_us_per_client": round(all_cpu * 1e6 / live, 1) if live else None,
                }
            )
            time.sleep(1.0)
        result.update(
            rounds=per_round,
            received=sum(r["received"] for r in per_round),
            missing=sum(r["missing"] for r in per_round),
            p50=percentile(all_latencies, 50),
            p99=percentile(all_latencies, 99),
            max=max(all_latencies, default=None),
            cpu_us_per_client_broadcast=(
                round(
                    statistics.median(
                        x["cpu_us_per_client"] for x in per_round if x["cpu_us_per_client"]
                    ),
                    1,
                )
                if any(x["cpu_us_per_client"] for x in per_round)
                else None
            ),
            rss_after_kb={p.name: tree_rss_kb(p.pid) for p in held_by},
            origin_rss_kb=rss_kb(origin.pid),
        )
    return result


def run(variants: list[str], sizes: list[int], seed: dict, **options) -> list[dict]:
    results = []
    for variant in variants:
        for size in sizes:
            if variant in PUSHPIN:
                size = min(size, options.get("pushpin_cap", size))
            result = attempt(
                f"fan-out {variant} × {size} …",
                lambda: run_one(variant, size, seed, **options),  # noqa: B023 - called at once
                summary,
                variant=variant,
                clients=size,
            )
            results.append(result)
    return results


def summary(r: dict) -> str:
    if "error" in r:
        return f"ERROR {r['error']}"

    def ms(x: float | None) -> str:
        return "-" if x is None else f"{x * 1000:.0f} ms"

    return (
        f"connected {r['connected']}/{r['clients']} in {r['connect_seconds']} s "
        f"({r['connect_rate']}/s, {r['connect_cpu_ms']} ms CPU each), "
        f"{r['kb_per_connection']} KB/conn, {r['cpu_us_per_client_broadcast']} µs CPU/client, "
        f"p50 {ms(r['p50'])} p99 {ms(r['p99'])} max {ms(r['max'])}, missing {r['missing']}"
        + (f", next links settled in {r['settle_seconds']} s" if "settle_seconds" in r else "")
    )


def load_seed() -> dict:
    return json.loads((DATA_DIR / "seed.json").read_text())


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", default="agora")
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--out", help="write the results here (JSON), whole")
    args = parser.parse_args()
    os.chdir(Path(BASE_DIR))
    out = run(
        args.variants.split(","),
        [int(s) for s in args.sizes.split(",")],
        load_seed(),
        rounds=args.rounds,
        procs=args.procs,
        batch=args.batch,
    )
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1)[:3000])
