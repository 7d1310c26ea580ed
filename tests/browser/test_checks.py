"""The checks themselves can fail: axe-core finds a missing label, the weight counts bytes,
and a page is held to having no internet."""

import pytest

from .checks import axe_check, page_weight, weighed

pytestmark = pytest.mark.browser


def test_axe_check_names_the_rule_and_the_element_it_failed(page):
    page.set_content('<!doctype html><html lang="en"><title>t</title><main>'
                     '<input id="nameless"><img src="data:," id="mute"></main></html>')
    with pytest.raises(AssertionError) as failed:
        axe_check(page)
    assert "label" in str(failed.value) and "#nameless" in str(failed.value)
    assert "image-alt" in str(failed.value) and "#mute" in str(failed.value)


def test_the_weight_counts_the_page_and_its_files_but_not_tiles_or_photos(page):
    page.route("**/heavy.css", lambda route: route.fulfill(body="b" * 50_000,
                                                           content_type="text/css"))
    page.route("**/small", lambda route: route.fulfill(
        body='<!doctype html><link rel="stylesheet" href="/heavy.css"><p>hi</p>',
        content_type="text/html"))
    weight = page_weight(page, "/small")
    assert 50_000 < weight.total < 51_000, str(weight)
    assert not weighed("https://tile.openstreetmap.org/1/2/3.png")
    assert not weighed("http://127.0.0.1:8000/photos/abc/thumb.jpg")


def test_a_page_gets_nothing_from_the_internet_and_the_attempt_is_kept(page, offsite):
    page.route("**/cdn-user", lambda route: route.fulfill(
        body='<!doctype html><script src="https://cdn.example.org/lib.js"></script>',
        content_type="text/html"))
    page.goto("/cdn-user", wait_until="networkidle")
    assert offsite == ["https://cdn.example.org/lib.js"]
