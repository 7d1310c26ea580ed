"""Tracking a case on the citizen site, and a resident's own steps on it: join, confirm,
reopen, rate; and "my cases"."""

import io

import pytest
from PIL import Image

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.cases.attachments import attachment_add
from imbizo.cases.lifecycle import case_comment, case_resolve, case_start
from imbizo.cases.models import Case, Status
from imbizo.core.permissions import system_actor

SYSTEM = system_actor("web")


def resolved(case: Case) -> Case:
    return case_resolve(actor=SYSTEM, case=case_start(actor=SYSTEM, case=case), note="Patched")


@pytest.fixture
def neighbour(municipalities):
    return citizen_register(actor=system_actor("ussd"), phone="0827654321", name="Lwazi")


def test_the_form_finds_a_case_typed_any_way(client, log_case):
    case = log_case()
    typed = case.reference.lower().replace("-", " ")
    answer = client.get("/track", {"reference": typed})
    assert answer.status_code == 302 and answer.url == f"/track/{case.reference}"
    assert client.get("/track").status_code == 200


@pytest.mark.parametrize(("typed", "message"), [
    ("aaa 2601 0001 1", "No case AAA-2601-0001-1."),
    ("hello", "That is not a reference number"),
])
def test_an_unknown_or_malformed_reference_is_a_404_that_says_so(client, municipalities,
                                                                 typed, message):
    page = client.get("/track", {"reference": typed})
    assert page.status_code == 404 and message in page.text and f'value="{typed}"' in page.text


def test_the_public_timeline_shows_status_in_words_and_public_updates_only(client, log_case):
    case = log_case()
    case_comment(actor=SYSTEM, case=case, text="Crew booked for Monday", public=True)
    case_comment(actor=SYSTEM, case=case, text="Supervisor says skip", public=False)
    page = client.get(f"/track/{case.reference}")
    assert page.status_code == 200
    assert "Pothole" in page.text and "Ward 1" in page.text
    assert "A team has it and will start work." in page.text
    assert "Crew booked for Monday" in page.text and "Supervisor says skip" not in page.text


def test_a_private_case_is_shown_only_to_its_reporter(client, log_case, resident, neighbour,
                                                      sign_in_as):
    case = log_case(public=False)
    assert client.get(f"/track/{case.reference}").status_code == 404
    sign_in_as(neighbour)
    assert client.get(f"/track/{case.reference}").status_code == 404
    sign_in_as(resident.citizen)
    page = client.get(f"/track/{case.reference}")
    assert page.status_code == 200 and "You reported this case." in page.text


def test_public_photos_are_shown(client, log_case, resident):
    case = log_case()
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 0)).save(out, "PNG")
    photo = attachment_add(actor=resident, case=case, data=out.getvalue())
    page = client.get(f"/track/{case.reference}")
    assert f'src="/photos/{photo.uuid}/thumbnail"' in page.text
    assert client.get(f"/photos/{photo.uuid}/thumbnail").status_code == 200


def test_a_signed_in_neighbour_joins_a_case_once(client, log_case, neighbour, sign_in_as):
    case = log_case()
    anonymous = client.post(f"/track/{case.reference}", {"action": "join"})
    assert anonymous.url == f"/signin?next=%2Ftrack%2F{case.reference}"
    sign_in_as(neighbour)
    assert "This affects me too: join it" in client.get(f"/track/{case.reference}").text
    done = client.post(f"/track/{case.reference}", {"action": "join"})
    assert done.status_code == 302
    page = client.get(done.url)
    assert "You have joined this case." in page.text and "You follow this case." in page.text
    assert "join it</button>" not in page.text
    case.refresh_from_db()
    assert case.affected_count == 2


def test_the_reporter_confirms_the_fix_then_rates_it(client, log_case, resident, sign_in_as):
    case = resolved(log_case())
    sign_in_as(resident.citizen)
    assert "Yes, it is fixed" in client.get(f"/track/{case.reference}").text
    client.post(f"/track/{case.reference}", {"action": "confirm"})
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    page = client.get(f"/track/{case.reference}")
    assert 'name="rating"' in page.text
    client.post(f"/track/{case.reference}", {"action": "rate", "rating": "5", "comment": "Fast"})
    case.refresh_from_db()
    assert (case.rating, case.feedback) == (5, "Fast")
    page = client.get(f"/track/{case.reference}")
    assert "You rated it 5 out of 5." in page.text and 'name="rating"' not in page.text


def test_the_reporter_reopens_with_a_reason_and_a_missing_reason_is_an_error(
        client, log_case, resident, sign_in_as):
    case = resolved(log_case())
    sign_in_as(resident.citizen)
    page = client.post(f"/track/{case.reference}", {"action": "reopen", "reason": ""})
    assert page.status_code == 400 and "This field is required." in page.text
    client.post(f"/track/{case.reference}", {"action": "reopen", "reason": "Still a hole"})
    case.refresh_from_db()
    assert case.status == Status.REOPENED


def test_a_neighbour_cannot_confirm_someone_elses_case(client, log_case, neighbour,
                                                       sign_in_as):
    case = resolved(log_case())
    sign_in_as(neighbour)
    assert "Yes, it is fixed" not in client.get(f"/track/{case.reference}").text
    refused = client.post(f"/track/{case.reference}", {"action": "confirm"})
    assert refused.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_the_track_page_runs_a_bounded_number_of_queries(client, log_case, resident,
                                                         sign_in_as,
                                                         django_assert_max_num_queries):
    case = log_case()
    for n in range(5):
        case_comment(actor=SYSTEM, case=case, text=f"Update {n}", public=True)
    sign_in_as(resident.citizen)
    with django_assert_max_num_queries(10):
        assert client.get(f"/track/{case.reference}").status_code == 200


def test_my_cases_lists_reported_and_joined_newest_first(client, log_case, resident,
                                                         neighbour, sign_in_as,
                                                         django_assert_max_num_queries):
    assert client.get("/my").url == "/signin?next=%2Fmy"
    mine = [log_case(description=f"Hole {n}") for n in range(3)]
    latest = log_case(description="Another")
    other = log_case(category="streetlight", lat=-29.95, lon=20.15,
                     actor=citizen_actor(neighbour, channel="web"))
    sign_in_as(resident.citizen)
    client.post(f"/track/{other.reference}", {"action": "join"})
    with django_assert_max_num_queries(6):
        page = client.get("/my")
    refs = [c.reference for c in [other, latest, *reversed(mine)]]
    positions = [page.text.index(r) for r in refs]
    assert positions == sorted(positions)
    sign_in_as(neighbour)
    page = client.get("/my")
    assert other.reference in page.text and mine[0].reference not in page.text
