"""The reporter's feedback page: rate a closed case, say a resolved one is not fixed."""

import re

import pytest

from imbizo.accounts.models import Citizen
from imbizo.audit.models import AuditEntry
from imbizo.cases.lifecycle import case_close, case_resolve, case_start
from imbizo.cases.models import Case, Status
from imbizo.cases.services import Contact, Location, case_log
from imbizo.core.permissions import system_actor
from imbizo.notifications.links import feedback_token

SYSTEM = system_actor("web")


def resolved(case: Case) -> Case:
    return case_resolve(actor=SYSTEM, case=case_start(actor=SYSTEM, case=case), note="Patched")


@pytest.fixture
def closed(log_case):
    return case_close(actor=SYSTEM, case=resolved(log_case()))


@pytest.fixture
def page(client, resident):
    """The page of a case's link for the resident who reported it."""
    def at(case: Case, citizen=None, **post):
        url = f"/r/{feedback_token(case, citizen or resident.citizen)}"
        return client.post(url, post) if post else client.get(url)
    return at


def test_the_reporter_rates_a_closed_case_as_themselves_on_the_web(closed, page, resident):
    form = page(closed)
    assert form.status_code == 200 and "<script" not in form.text
    assert closed.reference in form.text and 'name="rating"' in form.text
    done = page(closed, action="rate", rating="4", comment="Quick, thanks")
    assert done.status_code == 200 and "you rated it 4 out of 5" in done.text
    closed.refresh_from_db()
    assert (closed.rating, closed.feedback) == (4, "Quick, thanks")
    entry = AuditEntry.objects.filter(action="case.rate").get()
    assert (entry.actor, entry.channel) == (f"citizen:{resident.citizen.uuid}", "web")


def test_rating_twice_is_answered_politely_and_changes_nothing(closed, page):
    page(closed, action="rate", rating="2")
    again = page(closed, action="rate", rating="5", comment="Changed my mind")
    assert again.status_code == 200 and "already been rated" in again.text
    assert "You have already rated it: 2 out of 5." in page(closed).text
    closed.refresh_from_db()
    assert (closed.rating, closed.feedback) == (2, "")


def test_an_open_case_cannot_be_rated_yet(log_case, page):
    case = case_start(actor=SYSTEM, case=log_case())
    assert "It is not closed yet: it is in progress." in page(case).text
    refused = page(case, action="rate", rating="5")
    assert refused.status_code == 200 and "once it is closed" in refused.text
    case.refresh_from_db()
    assert case.rating is None


@pytest.mark.parametrize("token", ["nonsense", "1:abc", "1.1:" + "A" * 43])
def test_a_bad_or_forged_link_is_a_404_page(client, closed, token):
    response = client.get(f"/r/{token}")
    assert response.status_code == 404 and "This link does not work" in response.text


def test_a_link_with_its_signature_altered_is_a_404(client, closed, resident):
    token = feedback_token(closed, resident.citizen)
    forged = f"{closed.pk}.{resident.citizen.pk + 1}:{token.split(':')[1]}"
    assert client.get(f"/r/{forged}").status_code == 404
    assert client.post(f"/r/{forged}", {"action": "rate", "rating": "1"}).status_code == 404
    closed.refresh_from_db()
    assert closed.rating is None


@pytest.mark.parametrize("rating", ["", "9", "five"])
def test_a_wrong_rating_is_a_field_error_and_keeps_the_comment(closed, page, rating):
    response = page(closed, action="rate", rating=rating, comment="Took three weeks")
    assert response.status_code == 200 and 'class="errorlist"' in response.text
    assert "Took three weeks" in response.text
    closed.refresh_from_db()
    assert closed.rating is None


def test_a_comment_too_long_is_a_field_error_that_keeps_the_rating(closed, page):
    response = page(closed, action="rate", rating="3", comment="x" * 1001)
    assert 'class="errorlist"' in response.text
    assert re.search(r'value="3"[^>]* checked>', response.text)


def test_the_reporter_says_a_resolved_case_is_not_fixed(log_case, page):
    case = resolved(log_case())
    offer = page(case)
    assert "It is not fixed: reopen it" in offer.text and "within 7 days" in offer.text
    missing = page(case, action="reopen", reason="  ")
    assert 'class="errorlist"' in missing.text
    done = page(case, action="reopen", reason="Still a hole after the rain")
    assert "It has been reopened" in done.text
    case.refresh_from_db()
    assert case.status == Status.REOPENED
    assert case.updates.last().text == "Still a hole after the rain"


def test_a_reporter_with_only_a_number_rates_as_the_resident_of_that_number(
        municipalities, client):
    case = case_log(actor=SYSTEM, category="pothole", description="Hole",
                    location=Location(latitude=-29.95, longitude=20.05),
                    contact=Contact(phone="083 555 1234"))
    case = case_close(actor=SYSTEM, case=resolved(case))
    url = f"/r/{feedback_token(case)}"
    assert client.get(url).status_code == 200
    assert not Citizen.objects.filter(phone="+27835551234").exists()  # looking makes no one
    client.post(url, {"action": "rate", "rating": "5"})
    case.refresh_from_db()
    resident = Citizen.objects.get(phone="+27835551234")
    assert case.rating == 5
    assert AuditEntry.objects.get(action="case.rate").actor == f"citizen:{resident.uuid}"


def test_the_page_speaks_the_reporter_s_language(closed, page, resident):
    Citizen.objects.filter(pk=resident.citizen.pk).update(language="zu")
    assert '<html lang="zu">' in page(closed).text
