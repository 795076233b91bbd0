"""Real-browser tests: Debian's chromium, driven by Playwright, against a real daphne process.

Every page any test opens is watched: console errors, uncaught exceptions, failed requests,
HTTP errors, CSP violations and dialogs (an XSS `alert` would be one) fail the test at its
end. A test may say beforehand what it expects: a confirmation dialog to accept, or the
stream's failures while it stops the server.
"""

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Frame,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)
from playwright.sync_api import (
    Error as PlaywrightError,
)

from tests.factories import PASSWORD
from tests.live import BASE_DIR, Server, daphne, session_cookies

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The machine may have no internet: chromium must not try to reach Google.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=Translate,MediaRouter",
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = BASE_DIR / "test-artifacts" / "screenshots"
STREAM = "/notifications/stream/"

# Runs in every page before its own scripts: what the page itself cannot tell Playwright.
INIT_SCRIPT = """
(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    const violation = {
      directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
      source: e.sourceFile, line: e.lineNumber, page: location.href,
    };
    window.__cspViolations.push(violation);
    // Reported at once too: the page may be gone by the time the test looks.
    if (window.__agoraReport) window.__agoraReport(violation);
  }, true);
  // Every banner the page ever showed, even after it timed out and was removed.
  window.__toasts = [];
  window.__sseOpens = 0;
  // The EventSource's state after each error: 0 it retries by itself, 2 it gave up.
  window.__sseErrors = [];
  document.addEventListener("htmx:sseOpen", () => { window.__sseOpens += 1; });
  // Live pages (notify.live): the page's live parts fetched again after each stream-open.
  window.__liveRefreshes = 0;
  document.addEventListener("agora:live-refreshed", () => { window.__liveRefreshes += 1; });
  window.__htmxInFlight = 0;
  document.addEventListener("htmx:beforeRequest", () => { window.__htmxInFlight += 1; });
  document.addEventListener("htmx:afterRequest", () => { window.__htmxInFlight -= 1; });
  document.addEventListener("htmx:sseError", (e) => {
    window.__sseErrors.push(e.detail.source.readyState);
  });
  const seen = (node) => {
    if (node.nodeType === 1 && node.matches(".toast") && node.parentElement
        && node.parentElement.id === "toasts") {
      window.__toasts.push({id: node.dataset.notificationId, kind: node.dataset.kind,
                            text: node.textContent.trim()});
    }
  };
  new MutationObserver((records) => {
    for (const record of records) record.addedNodes.forEach(seen);
  }).observe(document, {childList: true, subtree: true});
})();
"""


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# Playwright's sync API keeps its event loop running in this thread, and Django refuses
# database work in a thread with a running loop; the test process may (it only makes test
# data, never serves), but the daphne process under test must keep Django's guard.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


# Package scope, not session: when these tests are done the loop must stop, so the other
# tests that run in the same process (pytest-xdist mixes them) see no running loop.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"chromium is not installed at {CHROMIUM}: `apt-get install chromium` "
            "(or point CHROMIUM at a chromium binary). The browser tests need it.",
            pytrace=False,
        )
    before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if before is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = before


@pytest.fixture(scope="package")
def browser(playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def live(transactional_db, tmp_path) -> Iterator[Server]:
    """A real daphne process on a free port, sharing the test database."""
    with ExitStack() as stack:
        allowed = os.environ.pop(ASYNC_UNSAFE, None)
        try:
            server = stack.enter_context(daphne(tmp_path))  # copies the environment
        finally:
            if allowed is not None:
                os.environ[ASYNC_UNSAFE] = allowed
        yield server


@dataclass
class Watch:
    """What went wrong in the pages of one test, and what the test said it expects."""

    problems: list[str] = field(default_factory=list)
    tolerated: list[str] = field(default_factory=list)
    expected_dialogs: list[tuple[str, str]] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    csp: list[dict] = field(default_factory=list)
    stream_trouble: bool = False

    def csp_violation(self, violation: dict) -> None:
        if violation not in self.csp:
            self.csp.append(violation)
            self.report("CSP violation", str(violation))

    def report(self, kind: str, what: str, *, url: str = "") -> None:
        if self.stream_trouble and STREAM in url:
            self.tolerated.append(f"{kind}: {what}")
        else:
            self.problems.append(f"{kind}: {what}")


class Pages:
    """Browser contexts for one test, each page watched; `page_for(user)` opens one."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.watch = Watch()
        self.contexts: list[BrowserContext] = []
        self.closing = False
        self.aborted: list[tuple[str, Callable[[], bool]]] = []
        # Every document each context's pages went to, for axe at the end of the test.
        self.visited: dict[BrowserContext, list[str]] = {}
        self.scripted: set[BrowserContext] = set()

    def __call__(
        self, user=None, *, login: str = "cookie", javascript: bool = True, name: str = ""
    ) -> Page:
        """A new browser (context) for `user`: signed in by session cookie or the login form."""
        context = self.browser.new_context(
            base_url=self.server.url,
            viewport=VIEWPORT,
            java_script_enabled=javascript,
            locale="en-US",
        )
        self.contexts.append(context)
        self.visited[context] = []
        if javascript:
            self.scripted.add(context)
        label = name or (user.get_username() if user else "anonymous")
        context.expose_binding(
            "__agoraReport",
            lambda source, violation: self.watch.csp_violation(violation),
        )
        context.add_init_script(INIT_SCRIPT)
        context.on("page", lambda page: self._watch(page, label))
        if user is not None and login == "cookie":
            cookies = session_cookies(user)
            context.add_cookies(
                [{"name": k, "value": v, "url": self.server.url} for k, v in cookies.items()]
            )
        page = context.new_page()
        page.set_default_timeout(10_000)
        if user is not None and login == "form":
            log_in(page, user.get_username())
        return page

    def _watch(self, page: Page, label: str) -> None:
        watch = self.watch

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                url = message.location.get("url", "") if message.location else ""
                if STREAM in message.text:
                    url = STREAM  # chromium's own "failed to load" names the URL in the text
                elif message.text == "[object Event]" and "htmx" in url:
                    # htmx logs an EventSource's error event so (htmx:sseError): the stream's.
                    url = STREAM
                watch.report("console error", f"[{label}] {message.text} ({url})", url=url)

        def page_error(error: Exception) -> None:
            watch.report("page error", f"[{label}] {error}")

        # Leaving a page cancels what it still had in flight (its stream at least): chromium
        # calls that ERR_ABORTED. Such a cancellation is let through if the page did go to
        # another document after the request started; decided at the end, as the browser's
        # events about the two may arrive in either order.
        commits: list[float] = []  # when the page went to a new document, ms since the epoch

        visited = self.visited[page.context]

        def navigated(frame: Frame) -> None:
            if frame == page.main_frame:
                commits.append(time.time() * 1000)
                url = frame.url.split("#", 1)[0]
                if url.startswith(self.server.url) and url not in visited:
                    visited.append(url)

        def request_failed(request: Request) -> None:
            what = f"[{label}] {request.method} {request.url}: {request.failure}"
            expected = watch.stream_trouble and STREAM in request.url
            if request.failure == "net::ERR_ABORTED" and not expected:
                started, closing = request.timing["startTime"], self.closing
                self.aborted.append((what, lambda: closing or any(c >= started for c in commits)))
                return
            watch.report("failed request", what, url=request.url)

        def response(response: Response) -> None:
            if response.status < 400:
                return
            watch.report(
                "HTTP error",
                f"[{label}] {response.request.method} {response.url}: {response.status}",
                url=response.url,
            )

        def dialog(dialog: Dialog) -> None:
            for i, (kind, text) in enumerate(watch.expected_dialogs):
                if dialog.type == kind and text in dialog.message:
                    del watch.expected_dialogs[i]
                    dialog.accept()
                    return
            watch.dialogs.append(f"[{label}] {dialog.type}: {dialog.message}")
            watch.problems.append(f"dialog: [{label}] {dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("console", console)
        page.on("pageerror", page_error)
        page.on("framenavigated", navigated)
        page.on("requestfailed", request_failed)
        page.on("response", response)
        page.on("dialog", dialog)

    def expect_dialog(self, kind: str, text: str) -> None:
        """The next dialog of this kind whose message contains `text` is wanted: accept it."""
        self.watch.expected_dialogs.append((kind, text))

    @contextmanager
    def stream_trouble(self) -> Iterator[None]:
        """While the server is away, the stream's failures (and only those) are expected."""
        self.watch.stream_trouble = True
        try:
            yield
        finally:
            self.watch.stream_trouble = False

    def check_accessibility(self) -> None:
        """axe-core on every page the test visited: each open page as the test left it (its
        swaps included), and every other document it went to, fetched again in the same
        browser (same session). A browser without JavaScript cannot run axe; the same pages
        are checked by the tests that have it."""
        for context in self.contexts:
            if context not in self.scripted:
                continue
            left_at = set()
            for page in context.pages:
                left_at.add(page.url.split("#", 1)[0])
                self._axe(page)
            again = [url for url in self.visited[context] if url not in left_at]
            if not again:
                continue
            page = context.new_page()
            try:
                for url in again:
                    response = page.goto(url, wait_until="load")
                    if (
                        response is not None
                        and response.ok
                        and "text/html" in (response.headers.get("content-type", ""))
                    ):
                        self._axe(page)
            finally:
                page.close()

    def _axe(self, page: Page) -> None:
        try:
            assert_accessible(page)
        except AssertionError as failure:
            self.watch.problems.append(f"accessibility: {failure}")
        except PlaywrightError:  # the page is gone or mid-navigation: nothing to check
            pass

    def close(self) -> list[str]:
        # Each violation was reported through the binding already; read the open pages
        # too, in case a report was still on its way when the test ended.
        for context in self.contexts:
            for page in context.pages:
                try:
                    violations = page.evaluate("window.__cspViolations || []")
                except PlaywrightError:  # the page is gone: nothing to read
                    continue
                for violation in violations:
                    self.watch.csp_violation(violation)
        self.closing = True
        for context in self.contexts:
            context.close()
        for what, page_moved_on in self.aborted:
            if not page_moved_on():
                self.watch.report("failed request", what)
        return self.watch.problems


@pytest.fixture
def page_for(browser, live, request) -> Iterator[Pages]:
    pages = Pages(browser, live)
    yield pages
    call = getattr(request.node, "report_call", None)
    if call is None or not call.failed:
        pages.check_accessibility()
    problems = pages.close()
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        if problems:
            print("What the pages reported:\n" + "\n".join(problems))
        return
    assert not problems, "The pages reported problems:\n" + "\n".join(problems)


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real allauth form."""
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url, page.content()[:2000]


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # caret="initial": hiding the caret makes Playwright leave style="" on every input, which
    # htmx's settling then copies into swapped-in inputs: a CSP violation the site never had.
    page.screenshot(path=path, caret="initial")
    return path


def mark_page(page: Page) -> None:
    """Mark the document: a full page load would lose the mark."""
    page.evaluate("window.__marker = 1")


def assert_same_page(page: Page, url: str | None = None) -> None:
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    if url is not None:
        assert page.url == url


def wait_until(condition: Callable[[], bool], timeout: float = 5, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(0.05)


def wait_for_js(page: Page, expression: str, timeout: float = 10) -> None:
    """Poll a JS expression until it is true. (Not page.wait_for_function: that evaluates
    strings inside the page, which the site's CSP rightly refuses as 'unsafe-eval'.)"""
    wait_until(lambda: page.evaluate(expression), timeout, what=expression)


def wait_streaming(page: Page) -> None:
    """Wait until the page's notification stream is open."""
    wait_for_js(page, "window.__sseOpens > 0")


def wait_htmx_idle(page: Page) -> None:
    """Wait until no htmx request is in flight (say, the badge's after a notification)."""
    wait_for_js(page, "window.__htmxInFlight === 0")


def toasts(page: Page) -> list[dict]:
    """Every banner this page showed so far (id, kind, text), even the ones gone again."""
    return page.evaluate("window.__toasts")


def unread(page: Page) -> int:
    return int(page.locator("#unread-badge").get_attribute("data-count"))


# axe-core rules whose failures keep people out; "moderate" and "minor" are advice.
AXE_BLOCKING = ("serious", "critical")


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now: no serious or critical violation."""
    # Imported here: the other browser tests do not need axe installed.
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in AXE_BLOCKING]
    assert not blocking, f"axe on {page.url}:\n" + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:5])
        for v in blocking
    )
