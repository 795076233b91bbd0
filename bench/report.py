"""Tables and plots of docs/PERFORMANCE.md from bench/results/*.json.

Only the part between the `bench:begin` and `bench:end` markers is rewritten; the prose
around it is written by people.
"""

import json
import statistics
from pathlib import Path

from bench.common import BASE_DIR, RESULTS_DIR, make_command

DOC = BASE_DIR / "docs" / "PERFORMANCE.md"
PLOTS = BASE_DIR / "docs" / "bench"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
LABELS = {
    "agora": "Agora SSE (daphne)",
    "agora-signed-in": "Agora SSE (daphne), signed in",
    "floor": "Floor: bare ASGI app (daphne)",
    "agora-pushpin": "Agora SSE through Pushpin",
    "agora-pushpin-signed-in": "Agora SSE through Pushpin, signed in",
    "channels-memory": "Channels peer, in-memory layer",
    "channels-redis": "Channels peer, channels_redis",
}


def load(name: str) -> dict | None:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def ms(x: float | None) -> str:
    return "–" if x is None else f"{x * 1000:,.0f}"


def num(x: float | None, digits: int = 0) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def command(info: dict) -> str:
    # Rebuilt from the arguments: older results stored the absolute path of bench/run.py.
    return make_command(info["argv"]) if "argv" in info else info["command"]


def cpu_us_per_client(r: dict) -> float | None:
    """Server CPU per client per broadcast: a round's CPU ÷ the clients open in that round
    (received + missed: a peer may have dropped some), the median of the rounds."""
    if r.get("cpu_us_per_client_broadcast") is not None:
        return r["cpu_us_per_client_broadcast"]
    rounds = [x for x in r.get("rounds", []) if x["received"] + x["missing"]]
    if not rounds:
        return None
    return statistics.median(
        x["server_cpu_seconds"] * 1e6 / (x["received"] + x["missing"]) for x in rounds
    )


def connect_cpu_ms(r: dict) -> float | None:
    if r.get("connect_cpu_ms") is not None:
        return r["connect_cpu_ms"]
    if not r.get("connected"):
        return None
    return r["connect_cpu_seconds"] * 1000 / r["connected"]


def machine_lines(info: dict) -> list[str]:
    return [
        f"- machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory_gb']} GB, Linux "
        f"{info['kernel']}, Python {info['python']}, file-descriptor limit {info['fd_limit']}",
        f"- date: {info['date']}, commit `{info['commit']}`, command `{command(info)}`",
        f"- load average before: {', '.join(f'{x:.1f}' for x in info['load_before'])}",
    ]


def fanout_section(data: dict) -> list[str]:
    rows = data["results"]
    out = [
        "### SSE fan-out and the Channels peer",
        "",
        *machine_lines(data["machine"]),
        f"- {data['options']['rounds']} broadcasts per run; clients in "
        f"{data['options']['procs']} processes, {data['options']['batch']} connects at once "
        "per process; latency = receipt − `created` (ms), over every client of every broadcast",
        "- server CPU (from /proc: daphne, and with Pushpin or Redis those processes too): "
        "per connect = the connect phase's ÷ clients connected; per client per broadcast = a "
        "broadcast's ÷ the clients open then, median of the broadcasts (the publishing request "
        "included); daphne CPU s/broadcast: daphne alone, the largest of the broadcasts",
        "",
        "| server | clients | connected | connect s | connects/s | server CPU ms/connect "
        "| KB/connection | p50 ms | p99 ms | max ms | missed | server CPU µs/client/broadcast "
        "| daphne CPU s/broadcast |",
        "| --- " + "| ---: " * 12 + "|",
    ]
    for r in rows:
        label = LABELS.get(r["variant"], r["variant"])
        if "error" in r:
            out.append(f"| {label} | {r['clients']:,} | failed: `{r['error'][:120]}` |")
            continue
        broadcast_cpu = [x["server_cpu_seconds"] for x in r["rounds"]]
        out.append(
            f"| {label} | {r['clients']:,} | {r['connected']:,} | {num(r['connect_seconds'], 1)} "
            f"| {num(r['connect_rate'])} | {num(connect_cpu_ms(r), 2)} "
            f"| {num(r['kb_per_connection'], 1)} | {ms(r['p50'])} | {ms(r['p99'])} "
            f"| {ms(r['max'])} | {r['missing']:,} | {num(cpu_us_per_client(r))} "
            f"| {num(max(broadcast_cpu, default=None), 2)} |"
        )
    ratio_rows = []
    by = {(r["variant"], r["clients"]): r for r in rows if "error" not in r}
    for (variant, clients), r in sorted(by.items()):
        if variant != "agora":
            continue
        for peer in ("channels-memory", "channels-redis"):
            other = by.get((peer, clients))
            if other and other["p99"] and r["p99"]:
                ratio_rows.append(
                    f"| {clients:,} | {LABELS[peer]} | {other['p99'] / r['p99']:.2f}× "
                    f"| {other['max'] / r['max']:.2f}× |"
                )
    floor_rows = []
    for (variant, clients), r in sorted(by.items()):
        floor = by.get(("floor", clients))
        if variant not in {"agora", "agora-signed-in"} or not floor:
            continue

        def times(a: float | None, b: float | None) -> str:
            return f"{a / b:.1f}×" if a and b else "–"

        floor_rows.append(
            f"| {clients:,} | {LABELS[variant]} | {times(r['p99'], floor['p99'])} "
            f"| {times(cpu_us_per_client(r), cpu_us_per_client(floor))} "
            f"| {times(connect_cpu_ms(r), connect_cpu_ms(floor))} "
            f"| {times(r['kb_per_connection'], floor['kb_per_connection'])} |"
        )
    if floor_rows:
        out += [
            "",
            "Agora ÷ the floor (a bare ASGI app on the same daphne, same run; 1× = the floor):",
            "",
            "| clients | server | broadcast p99 | CPU/client/broadcast | CPU/connect "
            "| KB/idle stream |",
            "| ---: | --- | ---: | ---: | ---: | ---: |",
            *floor_rows,
        ]
    if ratio_rows:
        out += [
            "",
            "Broadcast latency of the peer ÷ Agora's (above 1: Agora is faster):",
            "",
            "| clients | peer | p99 ratio | max ratio |",
            "| ---: | --- | ---: | ---: |",
            *ratio_rows,
        ]
    drops = [
        f"{LABELS.get(r['variant'], r['variant'])} × {r['clients']:,}: "
        f"{r['connect_listen_drops']:,}"
        for r in rows
        if r.get("connect_listen_drops")
    ]
    if drops:
        out += [
            "",
            "SYNs dropped by daphne's full listen queue while the "
            "clients connected; each costs its client a retransmit 1 s later, so a few of them "
            "lower a short run's connects/s (the CPU per connect is not affected):",
            "",
            *(f"- {d}" for d in drops),
        ]
    errors = {
        f"{LABELS.get(r['variant'], r['variant'])} × {r['clients']:,}": r["connect_errors"]
        for r in rows
        if r.get("connect_errors")
    }
    if errors:
        out += ["", "Connection errors:", ""]
        out += [f"- {k}: {v}" for k, v in errors.items()]
    out += [
        "",
        "![broadcast latency](bench/fanout-latency.png)",
        "![connections per second and memory per connection](bench/fanout-connect.png)",
        "![server CPU per client per broadcast and per connect](bench/fanout-cpu.png)",
    ]
    return out


# The issue "Live path: lossless for every client, and lean enough for 10,000 streams per
# process": (figure, today, to resolve, goal, lower is better, unit).
LIVE_PATH = {
    "cpu": ("server CPU per client per broadcast", 350, 90, 40, True, "µs"),
    "p99-10000": ("broadcast p99, 10,000 embedded clients", 3.5, 1.0, 0.5, True, "s"),
    "p99-5000": ("broadcast p99, 5,000 embedded clients", 1.6, 0.5, 0.25, True, "s"),
    "connect-anonymous": ("stream connects per second, anonymous", 300, 700, 1000, False, "/s"),
    "connect-signed-in": ("stream connects per second, signed in", 300, 700, 1000, False, "/s"),
    "memory": ("memory per idle stream", 52, 45, 30, True, "KB"),
    "pushpin-p99": ("broadcast p99 through Pushpin, 10,000 clients", 0.55, 0.5, 0.3, True, "s"),
    # Not a figure of the issue (measured anonymous, as it was then): shown beside it.
    "pushpin-p99-signed-in": (
        "broadcast p99 through Pushpin, 10,000 clients, signed in",
        None,
        0.5,
        0.3,
        True,
        "s",
    ),
}
STORM_CLIENTS, STORM_SECONDS = 5000, 30


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "/s":
        return f"{value:,.0f}/s"
    return f"{value:,.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"


def live_path_section(fan: dict | None, storm: dict | None) -> list[str]:
    out = [
        "### Live path: the issue's figures",
        "",
        "Agora in embedded mode (one daphne) at the largest size run, or at the size named; the "
        "floor is a bare ASGI app on the same daphne in the same run (`floor` variant): what "
        "no stream server on daphne can go below. *today*: the figure when the issue was "
        "opened.",
        "",
        "| figure | floor | measured | today | to resolve | goal | status |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    rows = [r for r in (fan or {}).get("results", []) if "error" not in r]
    by = {(r["variant"], r["clients"]): r for r in rows}

    def largest(variant: str) -> dict | None:
        return max(
            (r for r in rows if r["variant"] == variant), key=lambda r: r["clients"], default=None
        )

    def pick(variant: str, size: int | None) -> dict | None:
        return by.get((variant, size)) if size else largest(variant)

    def status(value: float | None, resolve: float, goal: float, lower: bool) -> str:
        if value is None:
            return "not measured"
        better = (lambda a, b: a <= b) if lower else (lambda a, b: a >= b)
        return (
            "goal met" if better(value, goal) else "resolved" if better(value, resolve) else "open"
        )

    specs = {
        "cpu": ("agora", None, cpu_us_per_client),
        "p99-10000": ("agora", 10000, lambda r: r["p99"]),
        "p99-5000": ("agora", 5000, lambda r: r["p99"]),
        "connect-anonymous": ("agora", None, lambda r: r["connect_rate"]),
        "connect-signed-in": ("agora-signed-in", None, lambda r: r["connect_rate"]),
        "memory": ("agora", None, lambda r: r["kb_per_connection"]),
        "pushpin-p99": ("agora-pushpin", 10000, lambda r: r["p99"]),
        "pushpin-p99-signed-in": ("agora-pushpin-signed-in", 10000, lambda r: r["p99"]),
    }
    for key, (figure, today, resolve, goal, lower, unit) in LIVE_PATH.items():
        variant, size, get = specs[key]
        r = pick(variant, size)
        value = get(r) if r else None
        measured = fmt(value, unit)
        if r and size is None:
            measured += f" ({r['clients']:,} clients)"
        floor = None
        if not variant.startswith("agora-pushpin"):
            f = by.get(("floor", r["clients"])) if r else pick("floor", size)
            floor = get(f) if f else None
        out.append(
            f"| {figure} | {fmt(floor, unit)} | {measured} | {fmt(today, unit)} "
            f"| {'≤' if lower else '≥'} {fmt(resolve, unit)} | {'≤' if lower else '≥'} "
            f"{fmt(goal, unit)} | {status(value, resolve, goal, lower)} |"
        )
    figure = f"restart storm, {STORM_CLIENTS:,} clients: all back with exactly what they missed"
    limit = f"lossless, ≤ {STORM_SECONDS} s"
    if not storm or "error" in storm["result"]:
        measured, verdict = ("failed" if storm else "–"), "not measured" if not storm else "open"
    else:
        r = storm["result"]
        s = r["storm"]
        lossless = s["exact"] == s["clients"] and s["duplicate_events"] == 0
        seconds = s["all_complete_seconds"]
        if lossless and seconds is not None:
            measured = f"{seconds:.1f} s"
        else:
            measured = (
                f"not lossless: {s['exact']:,} of {s['clients']:,} exact, "
                f"{s['missing_clients']:,} missing some, {s['duplicate_events']:,} duplicates"
            )
        if r["clients"] != STORM_CLIENTS:
            measured += f" ({r['clients']:,} clients)"
        ok = lossless and seconds is not None and seconds <= STORM_SECONDS
        verdict = (
            "met"
            if ok and r["clients"] >= STORM_CLIENTS
            else "open"
            if not ok
            else (f"met at {r['clients']:,} clients")
        )
    out.append(f"| {figure} | – | {measured} | – | {limit} | {limit} | {verdict} |")
    return out


def storm_section(data: dict) -> list[str]:
    r = data["result"]
    out = [
        "### Restart storm",
        "",
        *machine_lines(data["machine"]),
    ]
    if "error" in r:
        return [*out, "", f"Failed: `{r['error'][:300]}`"]
    s, a, b = r["storm"], r["after"], r["before"]
    lo, hi = r["retry_seconds"]
    out += [
        f"- one daphne (Agora, embedded mode, SQLite), {r['clients']:,} anonymous SSE clients in "
        f"{r['client_processes']} processes; half connected before one broadcast, half after; "
        f"`kill -9`; {r['missed_broadcasts']} announcements stored while it was down "
        f"(`manage.py notify_announce`); daphne started again on the same port. Each client "
        f"reconnects like an EventSource: after {lo:g}–{hi:g} s at random, again while "
        "refused, with `Last-Event-ID` = the last `id:` it saw (stream-open's included). "
        "Times from the restart command.",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| clients connected before the kill | {r['connected']:,} of {r['clients']:,} |",
        f"| … holding the id of an event | {b['id_from_event']:,} |",
        f"| … holding only stream-open's id | {b['id_from_open_only']:,} |",
        f"| … holding no id | {b['no_id']:,} |",
        f"| daphne down for | {r['down_seconds']:.1f} s |",
        f"| listening again after | {r['listening_seconds']:.1f} s |",
        f"| clients back | {s['back']:,} (last after {fmt(s['back_max'], 's')}) |",
        f"| clients with exactly the {r['missed_broadcasts']} missed, each once | {s['exact']:,} |",
        f"| clients missing some | {s['missing_clients']:,} ({s['missing_events']:,} events) |",
        f"| duplicates | {s['duplicate_events']:,} (at {s['duplicate_clients']:,} clients) |",
        f"| last client with all {r['missed_broadcasts']} | "
        + (
            fmt(s["all_complete_seconds"], "s")
            if s["all_complete_seconds"] is not None
            else f"never: {s['complete']:,} of {s['clients']:,} had them after "
            f"{s['waited_seconds']:.0f} s"
        )
        + " |",
        f"| reconnect attempts (refused while down, and so on) | {s['reconnect_attempts']:,} |",
        f"| SYNs dropped by a full listen queue after the restart | {r.get('listen_drops', 0):,} |",
        f"| clients that gave up (a non-200 answer) | {s['gave_up']:,} |",
        f"| one broadcast after: got it once / missed it | {a['once']:,} / {a['missing']:,} |",
        f"| … its p50 / p99 | {ms(a['p50'])} / {ms(a['p99'])} ms |",
        f"| duplicates over the whole run, counted after it | {a['duplicate_events']:,} |",
        "",
        "By what the client held at the kill:",
        "",
        f"| id held | clients | back | exactly the {r['missed_broadcasts']} | missing some "
        "| duplicates |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = {
        "id_from_event": "an event's",
        "id_from_open_only": "stream-open's only",
        "no_id": "none",
    }
    for key, name in names.items():
        g = s["groups"][key]
        if g["clients"]:
            out.append(
                f"| {name} | {g['clients']:,} | {g['back']:,} | {g['exact']:,} "
                f"| {g['missing_clients']:,} | {g['duplicate_events']:,} |"
            )
    if s["retry_errors"]:
        out += ["", "Failed reconnect attempts (each retried):", ""]
        out += [f"- {name}: {n:,}" for name, n in s["retry_errors"].items()]
    if s["gave_up_reasons"]:
        out += ["", "Given up on: " + ", ".join(f"`{x}`" for x in s["gave_up_reasons"])]
    return out


# figure: (label, setup, page or ratio key, today, to resolve, goal)
REQUEST_PATH = [
    ("`/` requests/s", "agora", "blog", 60, 200, 400),
    ("`/shop/` requests/s", "agora", "shop", 65, 200, 400),
    ("post page requests/s", "agora", "post", 80, 250, 500),
    ("`/api/posts/` requests/s", "agora", "api", 105, 300, 600),
    ("`/api/posts/` ÷ DRF peer", None, "agora_vs_drf", 1.24, 1.5, 2.0),
    (
        "`/api/categories/` ÷ a bare Django view without middleware, both on daphne",
        None,
        "categories_vs_bare",
        0.28,
        0.6,
        0.8,
    ),
    ("`/` with {sse} SSE clients connected ÷ `/` with none", None, "sse_vs_none", None, 0.8, 0.95),
]


def _value(x: float | None, ratio: bool) -> str:
    if x is None:
        return "–"
    return f"{x:.2f}×" if ratio else f"{x:,.0f}"


def request_path_section(data: dict) -> list[str]:
    rows, ratios = data["rows"], data["ratios"]
    out = [
        "### Request path: the issue's figures",
        "",
        "One daphne process, wrk with "
        f"{data['connections']} connections, {data['duration']} s per URL, signed in; the "
        "floors and peers in the same run (below). *today*: the figure when the issue was "
        "opened.",
        "",
        "| figure | measured | today | to resolve | goal | status |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, setup, key, today, resolve, goal in REQUEST_PATH:
        ratio = setup is None
        if ratio:
            value = ratios.get(key)
        else:
            row = next((r for r in rows if r["setup"] == setup and r["page"] == key), None)
            value = row["rps"] if row else None
        status = (
            "not measured"
            if value is None
            else "goal met"
            if value >= goal
            else "resolved"
            if value >= resolve
            else "open"
        )
        figure = label.format(sse=f"{data['sse_clients']:,}")
        out.append(
            f"| {figure} | {_value(value, ratio)} "
            f"| {_value(today, ratio)} | ≥ {_value(resolve, ratio)} | ≥ {_value(goal, ratio)} "
            f"| {status} |"
        )
    return out


def http_section(data: dict) -> list[str]:
    if "rows" not in data:
        return []  # a result of the benchmark before the floors were part of it
    from bench.http import LABELS as SETUPS
    from bench.http import PAGE_LABELS

    ratios = data["ratios"]
    out = [
        "### API and HTML pages, their floors and other servers",
        "",
        *machine_lines(data["machine"]),
        f"- wrk, {data['connections']} connections, {data['duration']} s per URL, signed in; "
        "each server alone; server CPU: the serving process's CPU clock over the run ÷ the "
        "requests (not for gunicorn, whose workers are other processes); queries counted in "
        "a separate single request",
        "",
        "| server | page | path | requests/s | p50 ms | p99 ms | server CPU ms/request "
        "| queries/request | bytes | non-2xx |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in data["rows"]:
        server = SETUPS[r["setup"]].format(sse=f"{data['sse_clients']:,}", workers=data["workers"])
        cpu = "–" if r.get("cpu_ms") is None else f"{r['cpu_ms']:.2f}"
        out.append(
            f"| {server} | {PAGE_LABELS.get(r['page'], r['page'])} | `{r['path']}` "
            f"| {r['rps']:,.0f} | {ms(r['p50'])} | {ms(r['p99'])} | {cpu} "
            f"| {r.get('queries', '–')} | {num(r.get('bytes'))} | {r['non_2xx']} |"
        )

    def times(x: float | None) -> str:
        return "–" if x is None else f"**{x:.2f}×**"

    out += [
        "",
        f"Agora's API list ÷ DRF: {times(ratios['agora_vs_drf'])}; ÷ the raw limit: "
        f"{times(ratios['agora_vs_raw'])}. `/api/categories/` ÷ the bare view: "
        f"{times(ratios['categories_vs_bare'])} (Django's ASGI handler under the bare view), "
        f"{times(ratios.get('categories_vs_bare_agora_handler'))} (Agora's under both). "
        f"`/` with {data['sse_clients']:,} SSE clients ÷ none: {times(ratios['sse_vs_none'])}.",
    ]
    return out


def http_plot(data: dict | None) -> None:
    if not data or "rows" not in data:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bench.http import LABELS as SETUPS
    from bench.http import PAGE_LABELS

    PLOTS.mkdir(parents=True, exist_ok=True)
    rows = data["rows"]
    labels = [
        f"{PAGE_LABELS.get(r['page'], r['page'])} — "
        + SETUPS[r["setup"]].format(sse=f"{data['sse_clients']:,}", workers=data["workers"])
        for r in rows
    ]
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 1))
    ax.barh(range(len(rows)), [r["rps"] for r in rows])
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("requests per second (log scale)")
    ax.set_title("Requests per second: Agora, its floors and other servers")
    fig.tight_layout()
    fig.savefig(PLOTS / "http-rps.png", dpi=110)
    plt.close(fig)


def writes_section(data: dict) -> list[str]:
    out = [
        "### Write cost: creating a post",
        "",
        *machine_lines(data["machine"]),
        "- `blog.services.post_create` in-process (with its broadcast notification), SQLite",
        "",
        "| users | posts timed | median ms | p90 ms | queries |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in data["results"]:
        out.append(
            f"| {r['users']:,} | {r['posts_timed']} | {r['median_ms']:.2f} | {r['p90_ms']:.2f} "
            f"| {r['queries']} |"
        )
    return out


def live_pages_section(data: dict) -> list[str]:
    options = data["options"]
    out = [
        "### Live pages: the cost of one change",
        "",
        *machine_lines(data["machine"]),
        f"- readers spread evenly over the posts, each reading one post's live channel; "
        f"{options['rounds']} comments per size through `POST /api/posts/{{id}}/comments/` "
        "(two events to each reader of that post: the comment, the counts)",
        "",
        "| readers | posts | readers a post | ms CPU per comment (median) | events to other "
        "posts' readers | missing | last reader (s, median) | flood: changes | events per reader |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in data["results"]:
        if "error" in r:
            out.append(f"| {r['readers']:,} | {r['posts']:,} | failed: {r['error'][:80]} |")
            continue
        lasts = [x["last_seconds"] for x in r["rounds"] if x["last_seconds"] is not None]
        flood = r.get("flood") or {}
        out.append(
            f"| {r['readers']:,} | {r['posts']:,} | {num(r['readers_per_post'], 1)} "
            f"| {num(r['cpu_ms_per_comment'], 1)} | {r['elsewhere']} | {r['missing']} "
            f"| {num(statistics.median(lasts) if lasts else None, 3)} "
            f"| {flood.get('changes', '–')} | {num(flood.get('events_per_reader'), 1)} |"
        )
    return out


def targets_section(fan: dict | None, web: dict | None, writes: dict | None) -> list[str]:
    out = ["### Targets", "", "| target | measured | met |", "| --- | --- | --- |"]

    def row(target: str, measured: str, ok: bool | None) -> None:
        out.append(f"| {target} | {measured} | {'yes' if ok else 'no' if ok is False else '–'} |")

    if fan:
        rows = [r for r in fan["results"] if "error" not in r]
        agora = [r for r in rows if r["variant"] == "agora"]
        top = max(agora, key=lambda r: r["clients"], default=None)
        if top:
            row(
                f"one daphne holds {top['clients']:,} SSE clients",
                f"{top['connected']:,} connected, {top['missing']} broadcasts missed",
                top["connected"] == top["clients"] and top["missing"] == 0,
            )
            row("broadcast p99 ≤ 1 s", f"{ms(top['p99'])} ms", (top["p99"] or 99) <= 1.0)
            row(
                "≤ 100 KB per idle connection",
                f"{num(top['kb_per_connection'], 1)} KB",
                (top["kb_per_connection"] or 999) <= 100,
            )
            row("connects ≥ 500/s", f"{num(top['connect_rate'])}/s", top["connect_rate"] >= 500)
        beats = []
        for r in agora:
            for peer in ("channels-memory", "channels-redis"):
                other = next(
                    (o for o in rows if o["variant"] == peer and o["clients"] == r["clients"]),
                    None,
                )
                if other:
                    beats.append((r["clients"], peer, r["p99"] < other["p99"]))
        if beats:
            lost = [f"{c:,} vs {p}" for c, p, ok in beats if not ok]
            row(
                "broadcast beats the Channels peer at every size (p99)",
                "all sizes" if not lost else "not at " + ", ".join(lost),
                not lost,
            )
        pushpin = [r for r in rows if r["variant"] == "agora-pushpin"]
        top = max(pushpin, key=lambda r: r["clients"], default=None)
        if top:
            row(
                "through Pushpin: 20,000 clients",
                f"{top['connected']:,} connected (of {top['clients']:,} tried), p99 "
                f"{ms(top['p99'])} ms",
                top["connected"] >= 20000 and top["missing"] == 0,
            )
    if web and web["ratios"].get("agora_vs_drf") and web["ratios"].get("agora_vs_raw"):
        r = web["ratios"]
        row("API list ≥ 1.5× DRF", f"{r['agora_vs_drf']:.2f}×", r["agora_vs_drf"] >= 1.5)
        row("API list ≥ 0.7× raw", f"{r['agora_vs_raw']:.2f}×", r["agora_vs_raw"] >= 0.7)
    if writes:
        times = [x["median_ms"] for x in writes["results"]]
        flat = times[-1] <= 1.25 * times[0]
        row(
            "post creation flat from 10 to 100,000 users (largest ≤ 1.25× smallest)",
            " / ".join(f"{t:.1f}" for t in times) + " ms",
            flat,
        )
    return out


def plots(fan: dict | None) -> None:
    if not fan:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import ScalarFormatter

    PLOTS.mkdir(parents=True, exist_ok=True)
    rows = [r for r in fan["results"] if "error" not in r]
    variants = [v for v in LABELS if any(r["variant"] == v for r in rows)]

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for v in variants:
        pts = sorted((r["clients"], r["p50"], r["p99"]) for r in rows if r["variant"] == v)
        xs = [p[0] for p in pts]
        (line,) = ax.plot(xs, [p[2] * 1000 for p in pts], marker="o", label=f"{LABELS[v]} p99")
        ax.plot(
            xs, [p[1] * 1000 for p in pts], marker=".", ls="--", color=line.get_color(), alpha=0.6
        )
    ax.axhline(1000, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("connected clients")
    ax.set_ylabel("broadcast latency, ms (solid p99, dashed p50)")
    ax.set_title("One broadcast to every client")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(PLOTS / "fanout-latency.png", dpi=110)
    plt.close(fig)

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for v in variants:
        pts = sorted(
            (r["clients"], r["connect_rate"], r["kb_per_connection"])
            for r in rows
            if r["variant"] == v
        )
        left.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=LABELS[v])
        right.plot([p[0] for p in pts], [p[2] for p in pts], marker="o", label=LABELS[v])
    left.axhline(500, color="grey", lw=0.8, ls=":")
    right.axhline(100, color="grey", lw=0.8, ls=":")
    left.set_title("connects per second")
    right.set_title("server memory per idle connection, KB")
    for a in (left, right):
        a.set_xlabel("connected clients")
        a.grid(alpha=0.3)
    left.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(PLOTS / "fanout-connect.png", dpi=110)
    plt.close(fig)

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for v in variants:
        pts = sorted(
            (r["clients"], cpu_us_per_client(r), connect_cpu_ms(r))
            for r in rows
            if r["variant"] == v
        )
        left.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=LABELS[v])
        right.plot([p[0] for p in pts], [p[2] for p in pts], marker="o", label=LABELS[v])
    left.axhline(90, color="grey", lw=0.8, ls=":")
    left.axhline(40, color="grey", lw=0.8, ls="--")
    left.set_title("server CPU per client per broadcast, µs")
    right.set_title("server CPU per connect, ms")
    for a in (left, right):
        a.set_xlabel("connected clients")
        a.set_yscale("log")
        a.yaxis.set_major_formatter(ScalarFormatter())
        a.grid(alpha=0.3)
    left.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(PLOTS / "fanout-cpu.png", dpi=110)
    plt.close(fig)


SKELETON = f"""# Performance

`make bench` measures; this page keeps what it measured.

{BEGIN}
{END}
"""


def write() -> None:
    fan, web, writes, storm = load("fanout"), load("http"), load("writes"), load("storm")
    live = load("live")
    block = ["## Results (written by `make bench`)", ""]
    block += [*targets_section(fan, web, writes), ""]
    block += [*live_path_section(fan, storm), ""]
    if web and "rows" in web:
        block += [*request_path_section(web), ""]
    if fan:
        block += [*fanout_section(fan), ""]
    if storm:
        block += [*storm_section(storm), ""]
    if web and "rows" in web:
        block += [*http_section(web), "", "![requests per second](bench/http-rps.png)", ""]
    if writes:
        block += [*writes_section(writes), ""]
    if live:
        block += [*live_pages_section(live), ""]
    plots(fan)
    http_plot(web)
    text = DOC.read_text() if DOC.exists() else SKELETON
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{BEGIN}\n" + "\n".join(block) + f"\n{END}{tail}")


if __name__ == "__main__":
    write()
    print(Path(DOC).relative_to(BASE_DIR))
