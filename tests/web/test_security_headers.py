"""Every page carries the Content-Security-Policy, and no template undoes it with inline
script, inline style or an event-handler attribute (a page added later is held to it)."""

import re
from pathlib import Path

import pytest

from imbizo.accounts.services import staff_user_create
from imbizo.core.permissions import system_actor

IMBIZO = Path(__file__).resolve().parents[2] / "imbizo"
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:", "https://tile.openstreetmap.org"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def policy(response) -> dict[str, set[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: set(words[1:]) for words in directives if words}


@pytest.fixture
def site(db, client, settings):
    """The site as the demo serves it (simulator mounted); ``site(staff=True)`` signed in."""
    settings.ROOT_URLCONF = "tests.demo.simulator_urls"

    def as_(staff: bool):
        if staff:
            client.force_login(staff_user_create(actor=system_actor("cli"), username="headers",
                                                 password="a-long-test-password"))
        return client
    return as_


@pytest.mark.parametrize(("path", "staff"), [
    ("/", False), ("/admin/login/", False), ("/api/v1/docs", False), ("/simulator/", True),
])
def test_each_page_carries_the_strict_policy(site, path, staff):
    response = site(staff).get(path)
    assert response.status_code == 200
    assert policy(response) == POLICY
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_pages_refuse_framing_sniffing_and_leaking_the_referrer(client, db):
    response = client.get("/admin/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_session_and_csrf_cookies_stay_on_this_site(client, db, settings):
    response = client.get("/admin/login/")
    assert response.cookies["csrftoken"]["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_SAMESITE == "Lax" and settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SECURE == settings.CSRF_COOKIE_SECURE == settings.SECURE_HTTPS


# --- templates -------------------------------------------------------------------------
# A <script> with a body of its own: not src="...", not a JSON data block.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*[\"']?application/(?:ld\+)?json)[^>]*>",
    re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)
RULES = {"inline <script>": INLINE_SCRIPT, "inline style": INLINE_STYLE,
         "on* handler": HANDLER, "javascript: URL": SCRIPT_URL}


def offences(text: str) -> list[str]:
    found = []
    for name, rule in RULES.items():
        for match in rule.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"line {line}: {name}: {match.group(0)[:60]!r}")
    return found


def test_the_scan_finds_each_kind_of_inline_code():
    bad = ('<script>alert(1)</script>\n<p style="color:red">\n<style>p{}</style>\n'
           '<button onclick="go()">\n<a href="javascript:go()">')
    assert len(offences(bad)) == 5
    good = ('<script src="/static/a.js"></script>'
            '<script type="application/json" id="data">{}</script>'
            '<p class="online" data-onclick="x">')
    assert offences(good) == []


TEMPLATES = sorted(IMBIZO.rglob("templates/**/*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=[str(t.relative_to(IMBIZO))
                                                     for t in TEMPLATES])
def test_no_template_has_inline_script_style_or_handlers(template):
    assert offences(template.read_text(encoding="utf-8")) == []


def test_no_python_module_writes_inline_script_style_or_handlers():
    """HTML built in Python (format_html in an admin, say) is held to the same rule."""
    found = {}
    for module in IMBIZO.rglob("*.py"):
        if "migrations" in module.parts:
            continue
        if hits := offences(module.read_text(encoding="utf-8")):
            found[str(module.relative_to(IMBIZO))] = hits
    assert found == {}
