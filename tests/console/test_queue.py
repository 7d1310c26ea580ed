"""The queues: my queue, all cases, filters, saved views, bulk assign, tenancy, queries."""

import re
from datetime import timedelta

from django.utils import timezone

from imbizo.audit.models import AuditEntry
from imbizo.cases.lifecycle import case_assign
from imbizo.cases.models import Case, Category, Priority
from imbizo.console.models import SavedView


def refs(response) -> set[str]:
    page = response.content.decode()
    return {ref for ref in Case.objects.values_list("reference", flat=True) if ref in page}


def test_my_queue_holds_my_departments_open_cases_and_no_one_elses(console_client, staff,
                                                                   log_case):
    pothole, burst = log_case("pothole"), log_case("burst-pipe")
    c = console_client(staff["officer"])
    assert refs(c.get("/console/")) == {pothole.reference}
    # The agent has no department: only what is assigned to them.
    c2 = console_client(staff["agent"], c.__class__())
    assert refs(c2.get("/console/")) == set()
    case_assign(actor=staff["supervisor"], case=pothole, assignee=staff["agent"].user)
    assert refs(c2.get("/console/")) == {pothole.reference}
    assert refs(c2.get("/console/cases")) == {pothole.reference, burst.reference}


def test_another_municipalitys_staff_never_see_the_case(console_client, staff, log_case):
    case = log_case()
    c = console_client(staff["other"])
    assert case.reference not in c.get("/console/cases").content.decode()
    assert case.reference not in c.get("/console/").content.decode()
    assert "No cases match." in c.get(f"/console/cases?q={case.reference}").content.decode()


def test_filters_narrow_the_queue(console_client, staff, log_case):
    pothole, burst, outage = log_case("pothole"), log_case("burst-pipe"), log_case("outage")
    Case.objects.filter(pk=outage.pk).update(resolve_due=timezone.now() - timedelta(hours=1))
    c = console_client(staff["agent"])
    assert refs(c.get("/console/cases?category=pothole")) == {pothole.reference}
    assert refs(c.get("/console/cases?department=water")) == {burst.reference}
    assert refs(c.get(f"/console/cases?priority={Priority.HIGH}")) == {burst.reference,
                                                                      outage.reference}
    assert refs(c.get("/console/cases?overdue=1")) == {outage.reference}
    assert refs(c.get("/console/cases?status=closed")) == set()
    assert refs(c.get("/console/cases?status=open")) == {pothole.reference, burst.reference,
                                                        outage.reference}
    assert refs(c.get(f"/console/cases?q={burst.reference.lower()}")) == {burst.reference}
    ward = pothole.ward.code
    assert pothole.reference in refs(c.get(f"/console/cases?ward={ward}"))
    assert refs(c.get("/console/cases?ward=99999999")) == set()
    log_case("pothole")
    case_assign(actor=staff["agent"], case=pothole, assignee=staff["agent"].user)
    assert refs(c.get("/console/cases?mine=1")) == {pothole.reference}


def test_the_filters_in_force_stay_chosen_and_their_labels_are_escaped(console_client,
                                                                        staff, log_case):
    log_case("pothole")
    Category.objects.filter(code="pothole").update(name="Pothole <b>deep</b>")
    page = console_client(staff["agent"]).get(
        "/console/cases?category=pothole&status=open&overdue=1").content.decode()
    assert '<option value="pothole" selected>Pothole &lt;b&gt;deep&lt;/b&gt;</option>' in page
    assert '<option value="open" selected>' in page
    assert re.search(r'<select name="priority"[^>]*><option value="" selected>', page)
    assert 'name="overdue" id="filter-overdue" checked' in page


def test_rows_show_status_priority_and_an_overdue_badge_in_text(console_client, staff,
                                                                  log_case):
    case = log_case("pothole")
    Case.objects.filter(pk=case.pk).update(resolve_due=timezone.now() - timedelta(hours=1))
    page = console_client(staff["agent"]).get("/console/cases").content.decode()
    assert "Overdue</span>" in page and "Logged" in page or "Assigned" in page
    assert "Normal" in page and "Pothole" in page


def test_a_saved_view_keeps_the_filters_under_a_name(console_client, staff, log_case):
    pothole, _burst = log_case("pothole"), log_case("burst-pipe")
    c = console_client(staff["agent"])
    response = c.post("/console/views", {"name": "Potholes",
                                         "query": "category=pothole&status=open"})
    assert response.status_code == 302
    view = SavedView.objects.get(user=staff["agent"].user, name="Potholes")
    assert AuditEntry.objects.filter(action="console.saved_view.save").exists()
    page = c.get("/console/cases")
    assert "Potholes" in page.content.decode()
    assert refs(c.get(f"/console/cases?{view.query}")) == {pothole.reference}
    # Someone else cannot delete it.
    other = console_client(staff["officer"], c.__class__())
    other.post(f"/console/views/{view.pk}/delete")
    assert SavedView.objects.filter(pk=view.pk).exists()
    c.post(f"/console/views/{view.pk}/delete")
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_saved_view_needs_a_name(console_client, staff):
    c = console_client(staff["agent"])
    response = c.post("/console/views", {"name": "", "query": "status=open"}, follow=True)
    assert "Give the view a name" in response.content.decode()
    assert not SavedView.objects.exists()


def test_bulk_assign_assigns_each_case_and_reports_each_failure(console_client, staff,
                                                                log_case, department):
    mine, also = log_case("pothole"), log_case("pothole")
    c = console_client(staff["supervisor"])
    response = c.post("/console/cases/assign", {
        "cases": [mine.reference, also.reference], "assignee": staff["officer"].user.pk,
        "back": "/console/cases"}, follow=True)
    page = response.content.decode()
    assert "Assigned" in page
    for case in (mine, also):
        case.refresh_from_db()
        assert case.assignee_id == staff["officer"].user.pk
    assert AuditEntry.objects.filter(action__in=["case.assign", "case.assigned"]).count() >= 2


def test_bulk_assign_reports_the_case_it_could_not_assign(console_client, staff, log_case):
    roads, water = log_case("pothole"), log_case("burst-pipe")
    c = console_client(staff["supervisor"])  # roads only: the water case is not theirs
    response = c.post("/console/cases/assign", {
        "cases": [roads.reference, water.reference], "department": "roads"}, follow=True)
    page = response.content.decode()
    assert f"Assigned {roads.reference}" in page
    assert f"Not assigned {water.reference}" in page
    water.refresh_from_db()
    assert water.department.code == "water"


def test_bulk_assign_without_a_target_or_cases_says_what_is_missing(console_client, staff,
                                                                    log_case):
    case = log_case()
    c = console_client(staff["supervisor"])
    page = c.post("/console/cases/assign", {"cases": [case.reference]}, follow=True)
    assert "Choose a department, team or person" in page.content.decode()
    page = c.post("/console/cases/assign", {"department": "roads"}, follow=True)
    assert "Tick the cases first" in page.content.decode()


def test_a_councillor_sees_no_bulk_assign(console_client, staff, log_case):
    log_case()
    page = console_client(staff["councillor"]).get("/console/cases").content.decode()
    assert "Assign selected" not in page


def test_htmx_gets_only_the_table(console_client, staff, log_case):
    case = log_case()
    response = console_client(staff["agent"]).get("/console/cases", HTTP_HX_REQUEST="true",
                                                   HTTP_HX_TARGET="queue")
    page = response.content.decode()
    assert case.reference in page and "<html" not in page


def test_the_queue_of_50_rows_takes_a_fixed_number_of_queries(console_client, staff,
                                                              log_case,
                                                              django_assert_max_num_queries):
    for _ in range(55):
        log_case("pothole")
    c = console_client(staff["agent"])
    c.get("/console/cases")
    with django_assert_max_num_queries(12):
        response = c.get("/console/cases?status=open&category=pothole")
    assert response.content.decode().count('name="cases"') == 50
    with django_assert_max_num_queries(12):
        response = c.get("/console/")
    assert response.status_code == 200
