"""No status message goes out as only a reference and a label."""

import pytest

from imbizo.cases.models import CaseUpdate, Status
from imbizo.notifications.texts import SAY, SAY_NOTE, status_body


@pytest.mark.parametrize("status", Status.values)
def test_every_status_has_a_sentence_beyond_its_label(log_case, status):
    case = log_case()
    body = status_body(case, CaseUpdate(case=case, to_status=status, text="  "))
    head = f"Imbizo {case.reference}: {Status(status).label}."
    assert body.startswith(head)
    rest = body.removeprefix(head).strip()
    assert rest.startswith(str(SAY[status])) and len(rest.split()) >= 3


@pytest.mark.parametrize("status", Status.values)
def test_every_status_says_the_note_written_with_it(log_case, status):
    case = log_case()
    body = status_body(case, CaseUpdate(case=case, to_status=status, text="Roads\n team"))
    assert str(SAY_NOTE[status]) % {"text": "Roads team"} in body


def test_a_long_note_is_shortened_to_fit_a_message(log_case):
    case = log_case()
    body = status_body(case, CaseUpdate(case=case, to_status=Status.ON_HOLD, text="x" * 500))
    assert body.endswith("x...") and len(body) < 200
    assert body.isascii()  # GSM-7 for these: 160 characters an SMS part, not 70


def test_both_tables_cover_every_status():
    assert set(SAY) == set(SAY_NOTE) == set(Status.values)
