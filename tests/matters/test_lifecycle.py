"""The councillor acknowledges, answers, refers and closes; only the councillor of the
matter's ward may, and the resident may only withdraw their own. Each step is recorded,
audited and announced."""

import pytest

from imbizo.audit.models import AuditEntry
from imbizo.cases.models import Case
from imbizo.core.errors import ImbizoError
from imbizo.core.models import DomainEvent
from imbizo.matters.lifecycle import (
    matter_acknowledge,
    matter_answer,
    matter_close,
    matter_refer,
)
from imbizo.matters.limits import ANSWER_MAX_LENGTH
from imbizo.matters.models import Matter


def statuses(matter: Matter) -> list[str]:
    return list(matter.updates.filter(kind="status").values_list("to_status", flat=True))


def events(name: str = "matter_status_changed") -> list[str]:
    return [e.payload["status"] for e in DomainEvent.objects.filter(name=name)
            .order_by("created")]


def test_the_councillor_acknowledges_answers_and_closes(raise_matter, staff):
    councillor = staff["councillor"]
    matter = matter_acknowledge(actor=councillor, matter=raise_matter())
    assert matter.status == "acknowledged" and matter.acknowledged is not None
    matter = matter_answer(actor=councillor, matter=matter,
                           text="The electricity department fixes them on Monday.")
    assert (matter.status, matter.answer) == ("answered",
                                              "The electricity department fixes them on Monday.")
    matter = matter_answer(actor=councillor, matter=matter, text="Fixed now, thank you.")
    matter = matter_close(actor=councillor, matter=matter, note="Lights are on again.")
    assert matter.status == "closed" and matter.closed is not None
    assert statuses(matter) == ["received", "acknowledged", "answered", "answered", "closed"]
    last = matter.updates.order_by("-pk").first()
    assert (last.text, last.author) == ("Lights are on again.", "Noluthando Test")
    assert events() == ["acknowledged", "answered", "answered", "closed"]
    assert list(AuditEntry.objects.filter(action__startswith="matter.").order_by("seq")
                .values_list("action", flat=True)) == [
        "matter.raise", "matter.acknowledged", "matter.answered", "matter.answered",
        "matter.closed"]


def test_answering_first_counts_as_the_acknowledgement(raise_matter, staff):
    matter = matter_answer(actor=staff["councillor"], matter=raise_matter(), text="On it.")
    assert matter.acknowledged is not None


def test_referring_logs_a_case_in_the_residents_name_and_links_it(raise_matter, staff, people):
    matter = raise_matter("issue", text="Water leaking from the main pipe on Church Street.")
    matter = matter_refer(actor=staff["councillor"], matter=matter, category="burst-pipe",
                          note="Water will fix it.")
    case = Case.objects.get()
    assert matter.status == "referred" and matter.case == case
    assert case.reporter == people["nomsa"].citizen and case.ward == matter.ward
    assert case.description == matter.text and case.channel == "ussd"
    assert not case.public  # as private as the matter
    assert case.department.code == "water"
    assert case.subscriptions.filter(citizen=people["nomsa"].citizen).exists()
    logged = AuditEntry.objects.get(action="case.log")
    assert logged.actor == f"{staff['councillor'].label} for {people['nomsa'].label}"
    assert events() == ["referred"]


def test_a_matter_is_referred_once(raise_matter, staff):
    matter = matter_refer(actor=staff["councillor"], matter=raise_matter(),
                          category="streetlight")
    with pytest.raises(ImbizoError) as refused:
        matter_refer(actor=staff["councillor"], matter=matter, category="pothole")
    assert refused.value.code == "invalid_transition" and Case.objects.count() == 1


def test_an_unknown_category_refers_nothing(raise_matter, staff):
    matter = raise_matter()
    with pytest.raises(ImbizoError) as refused:
        matter_refer(actor=staff["councillor"], matter=matter, category="moon-landing")
    assert refused.value.code == "unknown_category"
    matter.refresh_from_db()
    assert matter.status == "received" and not Case.objects.exists()


@pytest.mark.parametrize("who", ["councillor2", "bbb_councillor", "manager", "agent"])
def test_no_one_but_the_ward_s_councillor_acts_on_a_matter(raise_matter, staff, who):
    matter = raise_matter()
    for step in (lambda a: matter_acknowledge(actor=a, matter=matter),
                 lambda a: matter_answer(actor=a, matter=matter, text="No"),
                 lambda a: matter_refer(actor=a, matter=matter, category="pothole"),
                 lambda a: matter_close(actor=a, matter=matter)):
        with pytest.raises(ImbizoError) as refused:
            step(staff[who])
        assert refused.value.status == 403
    matter.refresh_from_db()
    assert matter.status == "received" and not Case.objects.exists()


def test_a_resident_withdraws_their_own_matter_but_not_another_s(raise_matter, people):
    mine, theirs = raise_matter(), raise_matter(who="thabo")
    with pytest.raises(ImbizoError) as refused:
        matter_close(actor=people["nomsa"], matter=theirs)
    assert refused.value.status == 403
    for step in (matter_acknowledge, lambda **kw: matter_answer(text="x", **kw)):
        with pytest.raises(ImbizoError):
            step(actor=people["nomsa"], matter=mine)
    closed = matter_close(actor=people["nomsa"], matter=mine)
    assert closed.status == "closed" and closed.acknowledged is None


def test_a_closed_matter_takes_no_more_steps(raise_matter, staff):
    matter = matter_close(actor=staff["councillor"], matter=raise_matter())
    with pytest.raises(ImbizoError) as refused:
        matter_answer(actor=staff["councillor"], matter=matter, text="Late")
    assert refused.value.code == "invalid_transition" and refused.value.status == 409


def test_an_acknowledged_matter_is_not_acknowledged_again(raise_matter, staff):
    matter = matter_acknowledge(actor=staff["councillor"], matter=raise_matter())
    with pytest.raises(ImbizoError) as refused:
        matter_acknowledge(actor=staff["councillor"], matter=matter)
    assert refused.value.status == 409


@pytest.mark.parametrize(("text", "code"), [("  ", "answer_required"),
                                            ("a" * (ANSWER_MAX_LENGTH + 1), "text_too_long")])
def test_an_empty_or_too_long_answer_is_refused(raise_matter, staff, text, code):
    matter = raise_matter()
    with pytest.raises(ImbizoError) as refused:
        matter_answer(actor=staff["councillor"], matter=matter, text=text)
    assert refused.value.code == code
    matter.refresh_from_db()
    assert matter.status == "received" and matter.answer == ""
