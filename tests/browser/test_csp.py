"""The Content-Security-Policy holds in a real browser: script slipped into a page does
not run, and the browser says it refused it."""

import pytest

pytestmark = pytest.mark.browser

INJECTED = ('<script>document.title = "injected"</script>'
            '<img src="/nowhere.png" alt="" onerror="document.title = \'injected\'">'
            '<p id="styled" style="color: rgb(255, 0, 0)">styled</p>')


def test_script_injected_into_a_page_does_not_run(page, console):
    def inject(route):
        response = route.fetch()
        body = response.text().replace("</body>", INJECTED + "</body>")
        route.fulfill(response=response, body=body)

    page.route("**/admin/login/", inject)
    page.goto("/admin/login/", wait_until="networkidle")
    assert page.locator("#styled").count() == 1  # the injected markup is in the page
    assert page.title() != "injected"
    assert page.locator("#styled").evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    refused = " ".join(console.csp_violations)
    assert "script-src" in refused and "style-src" in refused, console.errors
