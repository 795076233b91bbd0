"""The restart storm: kill -9 the one daphne under N streams; nothing may be lost or doubled.

    .venv/bin/python -m bench.run --only storm                       # 5,000 clients
    .venv/bin/python -m bench.run --only storm --storm-clients 300   # a quick look

One daphne serving Agora (default settings: embedded mode, the seed's SQLite file), N
anonymous SSE clients (`bench/loadgen.py --resume`, as many processes as the fan-out uses).
Each client keeps the last SSE `id:` it saw (stream-open's included) and the `seq` of every
notification it got. Half of them connect, one broadcast goes out, the other half connect:
so some clients hold the id of an event and some only what `stream-open` gave them.

Then `kill -9` daphne; while it is down, K announcements are stored from another process
(`manage.py notify_announce`, same environment), the way an admin or a cron job would; daphne
starts again on the same port. Every client reconnects like a browser's EventSource (after a
random 1–3 s, again and again while the port is closed, with `Last-Event-ID`), and must get
exactly the K it missed, each once. Measured from the restart command (the new daphne's
`Popen`): when every client is back, and when the last one has all K. Then one more broadcast
(`POST /api/posts/`): does everybody get it, once, and how fast.
"""

import json
import os
import signal
import time
from contextlib import ExitStack

from bench.common import DATA_DIR, cpu_seconds, daphne, listen_drops, manage, server_env
from bench.fanout import Loadgens, Trigger, percentile

POSITION = (
    "from notify.models import BROADCAST_CHANNEL, Notification; "
    "from django.db.models import Max; "
    "q = Notification.objects.filter(channel=BROADCAST_CHANNEL); "
    "print(q.aggregate(m=Max('seq'))['m'] or 0)"
)


def position(env: dict[str, str]) -> int:
    """The broadcast channel's last seq, read from the database by another process."""
    return int(manage(env, "shell", "-c", POSITION).strip().splitlines()[-1])


def merge(reports: list[dict]) -> dict:
    """One loadgen report per client process → one."""
    counts = (
        "clients",
        "back",
        "exact",
        "missing_clients",
        "missing_events",
        "duplicate_clients",
        "duplicate_events",
        "unexpected_events",
    )
    total = {k: sum(r[k] for r in reports) for k in counts}
    total["groups"] = {
        group: {k: sum(r["groups"][group][k] for r in reports) for k in counts}
        for group in reports[0]["groups"]
    }
    back = [x for r in reports for x in r["back_seconds"]]
    complete = [x for r in reports for x in r["complete_seconds"]]
    errors: dict[str, int] = {}
    for r in reports:
        for name, n in r["retry_errors"].items():
            errors[name] = errors.get(name, 0) + n
    total.update(
        complete=len(complete),
        back_p50=percentile(back, 50),
        back_max=max(back, default=None),
        complete_p50=percentile(complete, 50),
        complete_max=max(complete, default=None),
        reconnect_attempts=sum(r["reconnect_attempts"] for r in reports),
        retry_errors=errors,
        gave_up=sum(r["gave_up"] for r in reports),
        gave_up_reasons=sorted({x for r in reports for x in r["gave_up_reasons"]})[:5],
        waited_seconds=max(r["waited_seconds"] for r in reports),
    )
    return total


def run(
    seed: dict,
    *,
    clients: int = 5000,
    missed: int = 3,
    procs: int = 2,
    batch: int = 50,
    timeout: float = 120.0,
    grace: float = 10.0,
    retry: tuple[float, float] = (1.0, 3.0),
) -> dict:
    env = server_env()
    app = daphne("daphne-storm", server_env())
    path = "/notifications/stream/"
    extra = ("--resume", f"--retry-min={retry[0]}", f"--retry-max={retry[1]}")
    result: dict = {
        "clients": clients,
        "missed_broadcasts": missed,
        "client_processes": procs,
        "retry_seconds": list(retry),
        "timeout_seconds": timeout,
    }
    with ExitStack() as stack:
        app.start("/")
        stack.callback(app.stop)
        trigger = Trigger(app.port, seed, peer=False)
        first = clients // 2
        print(f"    {first} clients connect, one broadcast, {clients - first} more …", flush=True)
        loadgens = Loadgens("sse", app.port, path, first, procs, batch, extra=extra)
        stack.callback(loadgens.close)
        connected = loadgens.read_all("connected")
        loadgens.send("expect 60")
        loadgens.read_all("armed")
        trigger.fire()
        first_round = loadgens.read_all("received")
        result["before_broadcast_missing"] = sum(r["missing"] for r in first_round)
        rest, n_procs = clients - first, len(loadgens.procs)
        share = [rest // n_procs + (i < rest % n_procs) for i in range(n_procs)]
        for proc, n in zip(loadgens.procs, share, strict=True):
            assert proc.stdin is not None
            proc.stdin.write(f"connect {n}\n")
            proc.stdin.flush()
        connected += loadgens.read_all("connected")
        result["connected"] = sum(c["ok"] for c in connected)
        result["connect_failed"] = sum(c["failed"] for c in connected)
        time.sleep(2.0)
        loadgens.send("storm-arm")
        armed = loadgens.read_all("storm-armed")
        result["before"] = {
            k: sum(a[k] for a in armed)
            for k in ("clients", "open", "id_from_event", "id_from_open_only", "no_id")
        }
        start_seq = position(env)

        print(f"    kill -9 daphne (pid {app.pid}), {missed} announcements while down …")
        killed_at = time.time()
        os.kill(app.pid, signal.SIGKILL)
        assert app.process is not None
        app.process.wait()
        for i in range(missed):
            manage(env, "notify_announce", f"Restart storm {i + 1} of {missed}")
        end_seq = position(env)
        missed_seqs = list(range(start_seq + 1, end_seq + 1))
        result["missed_seqs"] = missed_seqs
        if len(missed_seqs) != missed:
            raise RuntimeError(f"expected {missed} new positions, got {missed_seqs}")
        loadgens.send("storm-expect " + ",".join(map(str, missed_seqs)))
        loadgens.read_all("storm-expecting")

        print(f"    restart on port {app.port}; every client must get {missed_seqs} …")
        drops_before = listen_drops()
        restarted_at = time.time()
        result["down_seconds"] = round(restarted_at - killed_at, 2)
        app.start(None)  # the same port; ready once it listens
        result["listening_seconds"] = round(time.time() - restarted_at, 2)
        loadgens.send(f"storm-report {restarted_at} {timeout} {grace}")
        storm = merge(loadgens.read_all("storm-report"))
        storm["all_complete_seconds"] = (
            storm["complete_max"] if storm["complete"] == storm["clients"] else None
        )
        result["storm"] = storm
        result["restart_cpu_seconds"] = round(cpu_seconds(app.pid), 2)
        result["listen_drops"] = listen_drops() - drops_before

        print("    one broadcast after the storm …", flush=True)
        trigger = Trigger(app.port, seed, peer=False)  # a new connection to the new process
        loadgens.send("expect 60")
        loadgens.read_all("armed")
        trigger.fire()
        received = loadgens.read_all("received")
        latencies = [x for r in received for x in r["latencies"]]
        loadgens.send(f"storm-check {end_seq + 1}")
        checked = loadgens.read_all("storm-checked")
        result["after"] = {
            "received": len(latencies),
            "missing": sum(r["missing"] for r in received),
            "not_open": sum(r["not_open"] for r in received),
            "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99),
            "max": max(latencies, default=None),
            "once": sum(c["once"] for c in checked),
            "duplicate_clients": sum(c["duplicate_clients"] for c in checked),
            "duplicate_events": sum(c["duplicate_events"] for c in checked),
        }
    return result


def summary(r: dict) -> str:
    if "error" in r:
        return f"ERROR {r['error']}"
    s, a = r["storm"], r["after"]

    def sec(x: float | None) -> str:
        return "–" if x is None else f"{x:.1f} s"

    return (
        f"{s['back']}/{s['clients']} back (last {sec(s['back_max'])}), {s['exact']} with exactly "
        f"the {r['missed_broadcasts']} missed, {s['missing_clients']} missing some "
        f"({s['missing_events']} events), {s['duplicate_events']} duplicates; all complete: "
        f"{sec(s['all_complete_seconds'])}; after: {a['received']} got it, {a['missing']} not"
    )


if __name__ == "__main__":
    import argparse

    from bench.common import BASE_DIR, raise_fd_limit

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--missed", type=int, default=3)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()
    os.chdir(BASE_DIR)
    raise_fd_limit()
    out = run(
        json.loads((DATA_DIR / "seed.json").read_text()),
        clients=args.clients,
        missed=args.missed,
        procs=args.procs,
    )
    print(summary(out))
    print(json.dumps(out, indent=1)[:4000])
