"""Requests per second of the API list (Agora, DRF peer, raw limit) and the HTML pages.

One daphne process (bench.peers.drf_peer.settings: Agora plus the two peer endpoints), a
closed-loop load generator (wrk, in its own process) with the same connections for every
URL, signed in as the benchmark's user; queries per request counted separately.
"""

import json
import re
import shutil
import subprocess
import time

import httpx

from bench.common import BASE_DIR, DATA_DIR, PYTHON, daphne, server_env

SETTINGS = "bench.peers.drf_peer.settings"
API = {"agora": "/api/posts/", "drf": "/drf/posts/", "raw": "/raw/posts/"}
HTML = {"blog list": "/", "catalogue": "/shop/"}


def count_queries(paths: list[str]) -> dict:
    out = subprocess.run(
        [PYTHON, "-m", "bench.queries", str(DATA_DIR / "seed.json"), *paths],
        cwd=BASE_DIR,
        env=server_env(SETTINGS),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


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


def run(seed: dict, *, connections: int = 8, duration: int = 10) -> dict:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    paths = {**API, **HTML}
    queries = count_queries(list(paths.values()))
    server = daphne("daphne-http", server_env(SETTINGS))
    cookie = f"{seed['session_cookie']}={seed['session']}"
    results: dict = {"connections": connections, "duration": duration, "pages": {}}
    server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        with httpx.Client(base_url=base, cookies={seed["session_cookie"]: seed["session"]}) as c:
            for path in paths.values():
                for _ in range(20):
                    c.get(path).raise_for_status()
        for name, path in paths.items():
            print(f"http {name} {path} …", flush=True)
            time.sleep(1)
            measured = wrk(base + path, cookie, connections, duration)
            results["pages"][name] = {
                "path": path,
                **measured,
                "queries": queries[path]["queries"],
                "bytes": queries[path]["bytes"],
                "status": queries[path]["status"],
                "sql": queries[path]["sql"],
            }
            print(
                f"    {measured['rps']:.0f} req/s, {queries[path]['queries']} queries", flush=True
            )
    finally:
        server.stop()
    pages = results["pages"]
    results["ratios"] = {
        "agora_vs_drf": pages["agora"]["rps"] / pages["drf"]["rps"],
        "agora_vs_raw": pages["agora"]["rps"] / pages["raw"]["rps"],
    }
    return results


if __name__ == "__main__":
    from bench.fanout import load_seed

    print(json.dumps(run(load_seed(), duration=5)["ratios"]))
