"""`make bench`: every benchmark of docs/PERFORMANCE.md, then the tables and plots there.

    .venv/bin/python -m bench.run                      # everything (about 15 minutes)
    .venv/bin/python -m bench.run --sizes 1000,5000    # fewer clients
    .venv/bin/python -m bench.run --only http,writes   # some parts; the others keep their
                                                       # last results in bench/results/
    .venv/bin/python -m bench.run --only storm --storm-clients 300   # the restart storm
    .venv/bin/python -m bench.run --only live --live-readers 100 --live-posts 20   # live pages
Loopback only; every process it starts, it stops. Results: bench/results/<part>.json.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time

from bench import fanout, http, live, report, storm
from bench.common import (
    BASE_DIR,
    DATA_DIR,
    PYTHON,
    database_url,
    machine,
    make_command,
    manage,
    raise_fd_limit,
    save,
    server_env,
)

PARTS = ("fanout", "http", "writes", "storm", "live")


def prepare_database() -> dict:
    """A fresh benchmark database (unless DATABASE_URL names one), migrated and seeded."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            (DATA_DIR / f"bench.sqlite3{suffix}").unlink(missing_ok=True)
    env = server_env()
    print(f"database {database_url()}: migrate and seed …", flush=True)
    manage(env, "migrate", "--noinput")
    subprocess.run(
        [PYTHON, "-m", "bench.seed", str(DATA_DIR / "seed.json")],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    return json.loads((DATA_DIR / "seed.json").read_text())


def run_writes(sizes: list[int], posts: int) -> list[dict]:
    db = DATA_DIR / "writes.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    env = server_env(DATABASE_URL=os.environ.get("BENCH_WRITES_DATABASE_URL", f"sqlite:///{db}"))
    manage(env, "migrate", "--noinput")
    print(f"writes with {sizes} users …", flush=True)
    out = subprocess.run(
        [PYTHON, "-m", "bench.writes", ",".join(map(str, sizes)), str(posts)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    ).stdout
    results = json.loads(out.strip().splitlines()[-1])
    for r in results:
        print(f"    {r['users']} users: {r['median_ms']:.1f} ms median, {r['queries']} queries")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("SIZES") or "1000,5000,10000")
    parser.add_argument(
        "--pushpin-max",
        type=int,
        default=20000,
        help="the largest Pushpin run (capped below the file-descriptor limit)",
    )
    parser.add_argument("--variants", default=",".join(fanout.VARIANTS))
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--rounds", type=int, default=3, help="broadcasts per fan-out run")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--batch", type=int, default=50, help="connects at once per process")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds per URL")
    parser.add_argument(
        "--sse-clients", type=int, default=5000, help="streams open while `/` is measured"
    )
    parser.add_argument(
        "--http-setups", default=",".join(http.SETUPS), help="servers of the request-path part"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers behind Pushpin (CPUs)"
    )
    parser.add_argument("--write-sizes", default="10,10000,100000")
    parser.add_argument("--write-posts", type=int, default=30)
    parser.add_argument("--storm-clients", type=int, default=5000)
    parser.add_argument(
        "--storm-missed", type=int, default=3, help="broadcasts stored while daphne is down"
    )
    parser.add_argument(
        "--storm-timeout", type=float, default=120, help="seconds after the restart to wait"
    )
    parser.add_argument("--live-readers", default="1000,10000", help="live pages' readers")
    parser.add_argument("--live-posts", type=int, default=1000, help="posts they read")
    parser.add_argument("--live-rounds", type=int, default=5, help="comments per size")
    parser.add_argument("--live-flood", type=int, default=200, help="reactions in the flood")
    args = parser.parse_args()

    os.chdir(BASE_DIR)
    raise_fd_limit()
    parts = args.only.split(",")
    started = time.monotonic()
    info = machine()
    argv = sys.argv[1:]
    if os.environ.get("SIZES") and not any(a.startswith("--sizes") for a in argv):
        argv = ["--sizes", os.environ["SIZES"], *argv]  # the sizes came from the environment
    info["argv"] = argv
    info["command"] = make_command(argv)  # relative to the project, whoever ran it how
    print(f"machine: {info['cpus']} × {info['cpu']}, load {info['load_before']}", flush=True)
    seed = prepare_database() if {"fanout", "http", "storm", "live"} & set(parts) else {}

    if "fanout" in parts:
        sizes = [int(s) for s in args.sizes.split(",")]
        variants = args.variants.split(",")
        fd_cap = resource.getrlimit(resource.RLIMIT_NOFILE)[1] - 1000
        pushpin_max = min(args.pushpin_max, fd_cap)
        options = {"rounds": args.rounds, "procs": args.procs, "batch": args.batch}
        results = []
        for variant in variants:
            variant_sizes = list(sizes)
            if variant == "agora-pushpin" and pushpin_max > max(sizes):
                variant_sizes.append(pushpin_max)
            results += fanout.run([variant], variant_sizes, seed, **options)
        save(
            "fanout",
            {
                "machine": info,
                "options": options,
                "pushpin_max_requested": args.pushpin_max,
                "pushpin_max": pushpin_max,
                "results": results,
            },
        )
    if "http" in parts:
        if "fanout" in parts:
            # The fan-out published its broadcasts as posts: the pages would list those (short,
            # without comments or likes) instead of the seeded ones, and measure less work.
            seed = prepare_database()
        results = http.run(
            seed,
            connections=args.connections,
            duration=args.duration,
            sse_clients=args.sse_clients,
            workers=args.workers,
            setups=tuple(args.http_setups.split(",")),
        )
        save("http", {"machine": info, **results})
    if "writes" in parts:
        sizes = [int(s) for s in args.write_sizes.split(",")]
        save("writes", {"machine": info, "results": run_writes(sizes, args.write_posts)})

    if "storm" in parts:
        print(f"restart storm with {args.storm_clients} clients …", flush=True)
        options = {"clients": args.storm_clients, "missed": args.storm_missed}
        try:
            result = storm.run(
                seed, **options, procs=args.procs, batch=args.batch, timeout=args.storm_timeout
            )
        except Exception as exc:  # a failed storm is a result too
            result = {**options, "error": repr(exc)[:500]}
        print("   ", storm.summary(result), flush=True)
        save("storm", {"machine": info, "result": result})

    if "live" in parts:
        sizes = [int(s) for s in args.live_readers.split(",")]
        options = {
            "rounds": args.live_rounds,
            "procs": args.procs,
            "batch": args.batch,
            "flood": args.live_flood,
        }
        results = live.run(seed, sizes, args.live_posts, **options)
        save("live", {"machine": info, "options": options, "results": results})

    info["seconds"] = round(time.monotonic() - started)
    info["load_after"] = os.getloadavg()
    save("run", info)
    report.write()
    print(f"done in {info['seconds']} s; docs/PERFORMANCE.md and docs/bench/*.png updated")
    if shutil.which("git"):
        subprocess.run(["git", "status", "--short", "bench/results", "docs"], check=False)


if __name__ == "__main__":
    sys.exit(main())
