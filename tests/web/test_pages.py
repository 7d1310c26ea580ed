"""What every citizen page must keep: small enough for expensive data (60 KB with its own
CSS and JS), no inline script or style (a strict Content-Security-Policy), and the
accessibility basics (a skip link, labels, a language)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

TEMPLATES = Path(__file__).resolve().parents[2] / "imbizo" / "web" / "templates"
BUDGET = 60 * 1024


def weight(page) -> int:
    """The page's HTML plus every stylesheet and script it links (Leaflet is loaded by
    map.js only when the resident asks for the map, so it is not linked)."""
    html = page.content.decode()
    total = len(page.content)
    for url in re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        total += Path(finders.find(url)).stat().st_size
    return total


@pytest.mark.parametrize("path", ["/", "/report?m=AAA", "/track", "/signin"])
def test_each_page_with_its_css_and_js_stays_under_60_kb(client, municipalities, path):
    page = client.get(path)
    assert page.status_code == 200
    assert "/static/web/site.css" in page.text
    assert weight(page) < BUDGET


def test_a_case_page_and_the_report_details_stay_under_60_kb(client, log_case):
    case = log_case()
    for path in (f"/track/{case.reference}",
                 "/report/details?m=AAA&category=pothole&ward=1"):
        page = client.get(path)
        assert page.status_code == 200 and weight(page) < BUDGET


def test_no_template_has_inline_script_style_or_event_handlers():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or "<style" in text \
                or re.search(r'\sstyle="', text) or re.search(r"\son[a-z]+=", text):
            offenders.append(template.name)
    assert offenders == []


def test_the_scan_catches_an_inline_script(tmp_path):
    bad = '<p onclick="x()">hi</p><script>alert(1)</script>'
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", bad) and re.search(r"\son[a-z]+=", bad)


@pytest.mark.parametrize("path", ["/", "/report?m=AAA", "/track", "/signin"])
def test_each_page_has_a_skip_link_a_language_and_labelled_controls(client, municipalities,
                                                                    path):
    html = client.get(path).content.decode()
    assert '<a class="skip" href="#main">' in html and '<main id="main"' in html
    assert re.search(r'<html lang="\w+">', html)
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|radio)")[^>]*'
                     r'\bid="([^"]+)"', html)
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    assert ids and set(ids) <= labelled

