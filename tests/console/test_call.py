"""Logging a case for a caller: find them by number, see their open cases, log on their
behalf on the "phone" channel; a new number is registered; errors keep what was typed."""

import re

from imbizo.accounts.models import Citizen
from imbizo.cases.models import Case


def key_of(page: str) -> str:
    return re.search(r'name="key" value="([0-9a-f]+)"', page).group(1)


def test_a_known_caller_is_found_with_their_open_cases_and_a_case_is_logged_for_them(
        staff, console_client, log_case, resident):
    earlier = log_case()
    c = console_client(staff["agent"])
    page = c.get("/console/call", {"phone": "082 123 4567"}).content.decode()
    assert "Nomsa" in page and earlier.reference in page
    response = c.post("/console/call", {
        "phone": "+27821234567", "key": key_of(page), "municipality": "AAA",
        "category": "pothole", "ward": "1", "address": "Corner of Main and Church",
        "description": "Deep pothole in the left lane"})
    case = Case.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302 and response["Location"] == \
        f"/console/cases/{case.reference}"
    assert case.channel == "phone" and case.reporter == resident.citizen
    assert case.ward.number == 1 and case.address == "Corner of Main and Church"


def test_a_new_caller_is_registered_as_the_case_is_logged(staff, console_client,
                                                         municipalities):
    c = console_client(staff["agent"])
    page = c.get("/console/call", {"phone": "0831112222"}).content.decode()
    assert "Logging the case registers them" in page
    c.post("/console/call", {"phone": "+27831112222", "key": key_of(page),
                             "municipality": "AAA", "category": "pothole",
                             "address": "Next to the school", "description": "Hole",
                             "name": "Sipho"})
    citizen = Citizen.objects.get(phone="+27831112222")
    assert citizen.name == "Sipho" and citizen.municipality.code == "AAA"
    assert Case.objects.get().reporter == citizen


def test_errors_come_back_on_the_form_with_what_was_typed(staff, console_client,
                                                          municipalities):
    c = console_client(staff["agent"])
    assert "not a valid phone number" in c.get("/console/call", {"phone": "12"}) \
        .content.decode()
    page = c.get("/console/call", {"phone": "0831112222"}).content.decode()
    response = c.post("/console/call", {
        "phone": "+27831112222", "key": key_of(page), "municipality": "AAA",
        "category": "pothole", "ward": "77", "address": "By the river",
        "description": "A very particular hole"})
    body = response.content.decode()
    assert response.status_code == 400 and "has no ward 77" in body
    assert "A very particular hole" in body and "By the river" in body
    assert not Case.objects.exists()


def test_submitting_twice_logs_one_case(staff, console_client, resident):
    c = console_client(staff["agent"])
    page = c.get("/console/call", {"phone": "0821234567"}).content.decode()
    data = {"phone": "+27821234567", "key": key_of(page), "municipality": "AAA",
            "category": "pothole", "address": "Here", "description": "Hole"}
    c.post("/console/call", data)
    c.post("/console/call", data)
    assert Case.objects.count() == 1


def test_a_caller_of_another_municipality_is_not_shown_and_roles_without_logging_are_refused(
        staff, console_client, resident, log_case):
    log_case()
    # The resident has no home municipality: AAA's councillor cannot log; BBB's staff
    # may log but never see AAA's cases.
    c = console_client(staff["other"])
    page = c.get("/console/call", {"phone": "0821234567"}).content.decode()
    assert "AAA-" not in page
    for role in ("contractor", "councillor"):
        c.logout()
        assert console_client(staff[role]).get("/console/call").status_code == 403
