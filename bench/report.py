"""Tables and plots of docs/PERFORMANCE.md from bench/results/*.json.

Only the part between the `bench:begin` and `bench:end` markers is rewritten; the prose
around it is written by people.
"""

import json
from pathlib import Path

from bench.common import BASE_DIR, RESULTS_DIR

DOC = BASE_DIR / "docs" / "PERFORMANCE.md"
PLOTS = BASE_DIR / "docs" / "bench"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
LABELS = {
    "agora": "Agora SSE (daphne)",
    "agora-pushpin": "Agora SSE through Pushpin",
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


def machine_lines(info: dict) -> list[str]:
    return [
        f"- machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory_gb']} GB, Linux "
        f"{info['kernel']}, Python {info['python']}, file-descriptor limit {info['fd_limit']}",
        f"- date: {info['date']}, commit `{info['commit']}`, command `{info['command']}`",
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
        "",
        "| server | clients | connected | connect s | connects/s | server CPU ms/connect "
        "| KB/connection | p50 ms | p99 ms | max ms | missed | server CPU s/broadcast |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        label = LABELS.get(r["variant"], r["variant"])
        if "error" in r:
            out.append(f"| {label} | {r['clients']:,} | failed: `{r['error'][:120]}` |")
            continue
        cpu_per = r["connect_cpu_seconds"] * 1000 / r["connected"] if r.get("connected") else None
        broadcast_cpu = [x["server_cpu_seconds"] for x in r["rounds"]]
        out.append(
            f"| {label} | {r['clients']:,} | {r['connected']:,} | {num(r['connect_seconds'], 1)} "
            f"| {num(r['connect_rate'])} | {num(cpu_per, 2)} | {num(r['kb_per_connection'], 1)} "
            f"| {ms(r['p50'])} | {ms(r['p99'])} | {ms(r['max'])} | {r['missing']:,} "
            f"| {num(max(broadcast_cpu), 2)} |"
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
    if ratio_rows:
        out += [
            "",
            "Broadcast latency of the peer ÷ Agora's (above 1: Agora is faster):",
            "",
            "| clients | peer | p99 ratio | max ratio |",
            "| ---: | --- | ---: | ---: |",
            *ratio_rows,
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
    ]
    return out


def http_section(data: dict) -> list[str]:
    pages = data["pages"]
    ratios = data["ratios"]
    out = [
        "### API and HTML pages",
        "",
        *machine_lines(data["machine"]),
        f"- wrk, {data['connections']} connections, {data['duration']} s per URL, signed in; one "
        "daphne process; queries counted in a separate single request",
        "",
        "| page | path | requests/s | p50 ms | p99 ms | queries/request | bytes | non-2xx |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = {
        "agora": "API list, Agora (django-ninja)",
        "drf": "API list, DRF peer",
        "raw": "API list, raw `.values()` limit",
    }
    order = [*names, *(k for k in pages if k not in names)]
    for key in order:
        p = pages[key]
        out.append(
            f"| {names.get(key, key)} | `{p['path']}` | {p['rps']:,.0f} | {ms(p['p50'])} "
            f"| {ms(p['p99'])} | {p['queries']} | {p['bytes']:,} | {p['non_2xx']} |"
        )
    out += [
        "",
        f"Agora ÷ DRF: **{ratios['agora_vs_drf']:.2f}×**; "
        f"Agora ÷ raw limit: **{ratios['agora_vs_raw']:.2f}×**.",
    ]
    return out


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
    if web:
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


SKELETON = f"""# Performance

`make bench` measures; this page keeps what it measured.

{BEGIN}
{END}
"""


def write() -> None:
    fan, web, writes = load("fanout"), load("http"), load("writes")
    block = ["## Results (written by `make bench`)", ""]
    block += [*targets_section(fan, web, writes), ""]
    if fan:
        block += [*fanout_section(fan), ""]
    if web:
        block += [*http_section(web), ""]
    if writes:
        block += [*writes_section(writes), ""]
    plots(fan)
    text = DOC.read_text() if DOC.exists() else SKELETON
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{BEGIN}\n" + "\n".join(block) + f"\n{END}{tail}")


if __name__ == "__main__":
    write()
    print(Path(DOC).relative_to(BASE_DIR))
