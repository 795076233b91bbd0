"""Open streams cost no thread each (notify/stream.py), and pages still work around them."""

from pathlib import Path

import httpx
import pytest

from tests.sse import SSEClient

pytestmark = pytest.mark.django_db(transaction=True)


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError("no thread count")


def test_open_streams_hold_no_thread_each(daphne_server):
    first = SSEClient(daphne_server.url + "/notifications/stream/")
    before = threads(daphne_server.process.pid)
    more = [SSEClient(daphne_server.url + "/notifications/stream/") for _ in range(8)]
    try:
        assert all(client.status == 200 for client in [first, *more])
        # Django would keep one thread per open stream for as long as it stays open.
        assert threads(daphne_server.process.pid) < before + 4
        assert httpx.get(daphne_server.url + "/", timeout=5).status_code == 200
    finally:
        for client in [first, *more]:
            client.close()
