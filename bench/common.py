"""What every benchmark shares: paths, the server environment, processes, memory, the machine."""

import itertools
import json
import os
import platform
import resource
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.live import free_port
from tests.services import PUSHPIN_CONF, wait_for_port

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
DATA_DIR = Path(os.environ.get("BENCH_DATA", BENCH_DIR / ".data"))
RESULTS_DIR = BENCH_DIR / "results"
PYTHON = sys.executable
SECRET_KEY = "bench-" + "k" * 60  # loopback only, never a real site


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'bench.sqlite3'}"


def server_env(settings: str = "bench.settings", **extra: str) -> dict[str, str]:
    """Production mode (DEBUG off) on loopback, on the benchmark's own database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "GRIP_URL", "DEBUG", "ENV_FILE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings,
            "ENV_FILE": str(DATA_DIR / "no.env"),  # never the developer's .env
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url(),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def listen_drops() -> int:
    """SYNs the kernel dropped because a listen queue was full (machine-wide, since boot).

    Each one costs that client a retransmit, 1 s later: a few of them can double a short
    connect phase, so the benchmark reports how many happened during it.
    """
    lines = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines()]
    for names, values in itertools.pairwise(lines):
        if names[0] == "TcpExt:" and values[0] == "TcpExt:" and "ListenDrops" in names:
            return int(values[names.index("ListenDrops")])
    return 0


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    """Every descendant of `pid` (Pushpin's runner starts several processes)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parts = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(parts[1]) == pid:
            child = int(stat.parent.name)
            found += [child, *children(child)]
    return found


def tree_rss_kb(pid: int) -> int:
    total = 0
    for p in [pid, *children(pid)]:
        with suppress(OSError):  # gone meanwhile
            total += rss_kb(p)
    return total


def cpu_seconds(pid: int) -> float:
    """CPU time of a process, all its threads (dead ones too), to the nanosecond.

    Linux's process CPU clock of another process (clock_getcpuclockid's id: CPUCLOCK_SCHED of
    the thread group); /proc's utime + stime, which count in 10 ms ticks, if it is refused.
    """
    with suppress(OSError):
        return time.clock_gettime(((~pid) << 3) | 2)
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Process:
    """A server process the benchmark started (and stops: by its own pid)."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    port: int
    process: subprocess.Popen | None = None
    extra: dict = field(default_factory=dict)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, ready_path: str | None = "/") -> "Process":
        self.process = subprocess.Popen(
            self.args,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            preexec_fn=raise_fd_limit,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-3000:]}")
            try:
                if ready_path is None:
                    wait_for_port(self.port, 0.2)
                else:
                    httpx.get(f"http://127.0.0.1:{self.port}{ready_path}", timeout=2)
                return self
            except (httpx.TransportError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# The listen queue every daphne here gets, as `make run` and docs/DEPLOY.md start it: with
# daphne's default (50), a burst of connects (a restart storm) overflows it and each dropped
# SYN costs its client a 1 s retransmit, which then decides the connects/s, not the server.
BACKLOG = 1024


def daphne(name: str, env: dict[str, str], backlog: int | None = BACKLOG) -> Process:
    port = free_port()
    endpoint = f"tcp:port={port}:interface=127.0.0.1"
    if backlog:
        endpoint += f":backlog={backlog}"
    app = env.pop("ASGI_APP", "config.asgi:application")
    args = [PYTHON, "-m", "daphne", "-e", endpoint, app]
    return Process(name, args, env, DATA_DIR / f"{name}.log", port)


@contextmanager
def running(*processes: Process, ready_path: str | None = "/"):
    started = []
    try:
        for process in processes:
            process.start(ready_path)
            started.append(process)
        yield processes
    finally:
        for process in reversed(started):
            process.stop()


def redis_process() -> Process:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    return Process("redis", args, dict(os.environ), DATA_DIR / "redis.log", port)


# The configuration the test suite runs Pushpin with (tests/services.py), for the benchmark.
def pushpin_process(origin_port: int) -> Process:
    work = DATA_DIR / "pushpin"
    shutil.rmtree(work, ignore_errors=True)
    (work / "run").mkdir(parents=True)
    (work / "routes").write_text(f"* 127.0.0.1:{origin_port}\n")
    key = secrets.token_hex(16)
    port, control = free_port(), free_port()
    config = work / "pushpin.conf"
    config.write_text(
        PUSHPIN_CONF.format(
            run=work / "run",
            http=port,
            routes=work / "routes",
            key=key,
            push_in=free_port(),
            push_sub=free_port(),
            control=control,
            command=free_port(),
        )
    )
    binary = shutil.which("pushpin") or "/usr/bin/pushpin"
    process = Process(
        "pushpin",
        [binary, "--config", str(config), "--merge-output"],
        dict(os.environ),
        DATA_DIR / "pushpin.log",
        port,
    )
    process.extra["grip_url"] = f"http://127.0.0.1:{control}?iss=pushpin&key={key}"
    process.extra["control_port"] = control
    return process


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_before": os.getloadavg(),
        "fd_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[1],
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def make_command(argv: list[str]) -> str:
    """`make bench SIZES=… BENCH_ARGS="…"`: how to run it again, from the project's folder."""
    sizes, rest = None, []
    args = iter(argv)
    for arg in args:
        if arg == "--sizes":
            sizes = next(args, "")
        elif arg.startswith("--sizes="):
            sizes = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    command = "make bench"
    if sizes:
        command += f" SIZES={sizes}"
    if rest:
        command += f' BENCH_ARGS="{shlex.join(rest)}"'
    return command


def save(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return path


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout


def attempt(label: str, measure, summary, **identity) -> dict:
    """Print `label`, measure, print the summary; a failure is a result too (with `identity`)."""
    print(label, flush=True)
    try:
        result = measure()
    except Exception as exc:
        result = {**identity, "error": repr(exc)[:500]}
    print("   ", summary(result), flush=True)
    return result
