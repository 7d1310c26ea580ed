"""The site's pages: find an area by suburb or municipality (a search too short keeps what
was typed and says why), and an area's page with the stage, the next days' times, the
feed and the hours lost in the last 12 months; all without JavaScript."""

from freezegun import freeze_time

from imbizo.core.permissions import system_actor
from imbizo.loadshedding.services import stages_import

from .conftest import at


def test_a_resident_finds_their_area_by_suburb(client, areas):
    page = client.get("/loadshedding", {"q": "sizwe"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'href="/loadshedding/areas/test-area-1"' in text and "Sizwe" in text
    assert "<script" not in text.split("<main")[1]


def test_a_resident_picks_their_municipality_from_the_list(client, areas):
    page = client.get("/loadshedding")
    assert '<option value="AAA">Aaa Local</option>' in page.content.decode()
    listed = client.get("/loadshedding", {"m": "AAA"}).content.decode()
    assert "test-area-1" in listed and "test-area-2" not in listed


def test_a_search_too_short_is_refused_and_what_was_typed_kept(client, areas):
    page = client.get("/loadshedding", {"q": "s"})
    assert page.status_code == 400
    text = page.content.decode()
    assert 'value="s"' in text and "Type at least 2 letters" in text


def test_no_area_found_is_said(client, areas):
    text = client.get("/loadshedding", {"q": "atlantis"}).content.decode()
    assert "No area found" in text


def test_the_area_page_shows_the_stage_the_times_the_feed_and_hours_lost(
        client, areas, national, tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("created_at,stage\n2026-02-01 00:00:00,2\n2026-02-20 00:00:00,0\n")
    stages_import(actor=system_actor("cli"), path=path)
    with freeze_time(at("2026-03-10 05:00")):
        national(3)
        page = client.get("/loadshedding/areas/test-area-1")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Stage 3 is in force." in text
    assert "06:00–08:30" in text and "22:00–00:30 (next day)" in text
    assert "/api/v1/loadshedding/areas/test-area-1/calendar.ics" in text
    # February at stage 2 on the 10th: 06:00-08:30 and 14:00-16:30 = 5 hours.
    assert "<td>2026-02</td><td>5.0</td>" in text
    assert text.count("<tr><td>") == 12  # the last 12 months


def test_an_unknown_area_is_a_404_page(client, areas):
    page = client.get("/loadshedding/areas/nowhere")
    assert page.status_code == 404 and "no load-shedding area" in page.content.decode()
