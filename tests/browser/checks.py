"""What the browser tests check on a page: accessibility (axe-core), weight, CSP reports.

Each is a plain function over a Playwright page, so a test of a new page calls them in
one line each (docs/browser-tests.md).
"""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA: the bar (WCAG 2.2 AA).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
# Not part of a page's own weight: map tiles and residents' photos (the issue's budget).
UNWEIGHED_HOSTS = {"tile.openstreetmap.org"}
UNWEIGHED_PATHS = ("/photos/", "/media/")


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page; its serious and critical violations.

    axe is evaluated through the DevTools protocol (``page.evaluate``), which a page's
    Content-Security-Policy does not govern, so the page is checked under its real policy.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", AXE_TAGS)
    return [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]


def axe_check(page) -> None:
    """Fail the test on any serious or critical axe violation, naming rules and targets."""
    found = axe_violations(page)
    lines = [f"{v['id']} ({v['impact']}): {v['help']} -> "
             + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
             for v in found]
    assert not found, f"axe on {page.url}:\n" + "\n".join(lines)


def weighed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return False  # data: URLs are part of the page that holds them
    return parts.hostname not in UNWEIGHED_HOSTS and not parts.path.startswith(UNWEIGHED_PATHS)


@dataclass
class Weight:
    """Bytes a page load transferred: each response's headers and (encoded) body."""

    responses: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.responses.values())

    def __str__(self) -> str:
        rows = sorted(self.responses.items(), key=lambda item: -item[1])
        return f"{self.total} bytes: " + ", ".join(f"{url} {size}" for url, size in rows)


def page_weight(page, url: str) -> Weight:
    """Load ``url`` in ``page`` (a fresh context, so nothing is cached) and weigh it."""
    seen = []

    def finished(request) -> None:
        seen.append(request)

    page.on("requestfinished", finished)
    try:
        page.goto(url, wait_until="networkidle")
    finally:
        page.remove_listener("requestfinished", finished)
    weight = Weight()
    for request in seen:
        if weighed(request.url):
            sizes = request.sizes()
            weight.responses[request.url] = (weight.responses.get(request.url, 0)
                                             + sizes["responseBodySize"]
                                             + sizes["responseHeadersSize"])
    return weight


class ConsoleWatch:
    """The page's console errors, and among them what the Content-Security-Policy refused."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        page.on("console", self._seen)

    def _seen(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    @property
    def csp_violations(self) -> list[str]:
        return [text for text in self.errors if "Content Security Policy" in text]
