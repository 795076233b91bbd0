"""Count updates are coalesced at the publisher (notify.live.Coalescer), with real threads."""

import itertools
import threading
import time

from notify.live import Coalescer


def wait_until(condition, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_flood_goes_out_once_at_once_then_once_per_interval_with_the_last_state():
    coalescer = Coalescer(0.2)
    state = {"likes": 0}
    published: list[tuple[float, int]] = []
    lock = threading.Lock()

    def publish() -> None:
        with lock:
            published.append((time.monotonic(), state["likes"]))

    start = time.monotonic()
    for _ in range(500):  # hundreds of reactions, as fast as they come
        state["likes"] += 1
        coalescer.submit(("post", 1), publish)
    wait_until(lambda: published and published[-1][1] == 500)
    assert published[0][1] == 1  # the first change went out at once
    flood = time.monotonic() - start
    # One at once, then at most one per interval while the flood lasted, and the last.
    assert len(published) <= 2 + flood / 0.2, published
    times = [when for when, _ in published]
    # An interval apart (less what a loaded machine delays a run by).
    assert all(b - a >= 0.1 for a, b in itertools.pairwise(times)), times


def test_keys_are_coalesced_apart_and_a_quiet_key_goes_out_at_once():
    coalescer = Coalescer(0.2)
    seen: list[str] = []
    coalescer.submit("a", lambda: seen.append("a1"))
    coalescer.submit("b", lambda: seen.append("b1"))  # another post: not held back by "a"
    assert seen == ["a1", "b1"]
    coalescer.submit("a", lambda: seen.append("a2"))
    coalescer.submit("a", lambda: seen.append("a3"))  # replaces a2: only the last state
    wait_until(lambda: "a3" in seen)
    assert seen == ["a1", "b1", "a3"]
    time.sleep(0.5)  # a quiet interval
    coalescer.submit("a", lambda: seen.append("a4"))
    assert seen[-1] == "a4"


def test_a_failing_publish_does_not_stop_the_others():
    coalescer = Coalescer(0.05)
    seen: list[int] = []

    def fail() -> None:
        raise RuntimeError("the template broke")

    coalescer.submit("x", fail)
    coalescer.submit("x", fail)
    wait_until(lambda: not coalescer.windows.get("x") or coalescer.windows["x"][1] is None)
    coalescer.submit("y", lambda: seen.append(1))
    coalescer.submit("y", lambda: seen.append(2))
    wait_until(lambda: seen == [1, 2])
