"""The watchers on every page see what they are there to see (else the journeys prove little)."""

from tests.e2e.conftest import wait_until


def test_the_watchers_catch_console_and_page_errors_bad_requests_csp_and_dialogs(live, page_for):
    page = page_for(name="watched")
    page.goto("/")
    page.route("**/dropped.js", lambda route: route.abort())

    page.evaluate("console.error('boom')")
    page.evaluate("setTimeout(() => { throw new Error('kaboom') })")
    page.evaluate("fetch('/no-such-page/')")
    page.evaluate("fetch('/dropped.js').catch(() => {})")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.append(s); }"
    )
    page.evaluate("alert('xss')")

    expected = {
        "console error: [watched] boom",
        "page error: [watched] kaboom",
        "HTTP error: [watched] GET " + live.url + "/no-such-page/: 404",
        "failed request: [watched] GET " + live.url + "/dropped.js: net::ERR_FAILED",
        "CSP violation: {'directive': 'script-src-elem'",
        "dialog: [watched] alert: xss",
    }

    def seen() -> set[str]:
        return {e for e in expected if any(p.startswith(e) for p in page_for.watch.problems)}

    wait_until(lambda: seen() == expected, what=f"all of {expected}")
    assert page.evaluate("window.injected") is None  # the CSP did block the script
    assert page_for.watch.dialogs == ["[watched] alert: xss"]
    page_for.watch.problems.clear()  # all expected here: let the test end clean
