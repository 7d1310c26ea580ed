"""The case page: header, timeline, photos and each action through the page."""

from datetime import timedelta

from django.utils import timezone

from imbizo.audit.models import AuditEntry
from imbizo.cases.lifecycle import case_comment, case_start
from imbizo.cases.models import Case, CaseUpdate, Status, WorkOrder
from imbizo.cases.workorders import workorder_accept, workorder_complete


def url(case, action=""):
    return f"/console/cases/{case.reference}" + (f"/{action}" if action else "")


def page(c, case) -> str:
    response = c.get(url(case))
    assert response.status_code == 200
    return response.content.decode()


def test_another_municipalitys_staff_get_404(console_client, staff, log_case):
    case = log_case()
    c = console_client(staff["other"])
    assert c.get(url(case)).status_code == 404
    assert c.post(url(case, "start"), {"expected_version": case.version}).status_code == 404
    assert c.get("/console/cases/NOT-A-REF").status_code == 404


def test_the_header_shows_the_case_sla_and_the_reporter_to_staff_who_may_see_them(
        console_client, staff, log_case):
    case = log_case()  # by the resident fixture, Nomsa on 0821234567
    Case.objects.filter(pk=case.pk).update(resolve_due=timezone.now() - timedelta(hours=2))
    html = page(console_client(staff["officer"]), case)
    assert case.reference in html and "Pothole" in html
    assert "Overdue</span>" in html
    assert "Nomsa" in html and "+27821234567" in html


def test_an_officer_works_a_case_to_resolved_through_the_page(console_client, staff, log_case):
    case = log_case()
    c = console_client(staff["officer"])
    assert "Start work" in page(c, case)
    response = c.post(url(case, "start"), {"expected_version": case.version, "note": "On it"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    # A reason is required to hold: the error comes back and what was typed stays.
    response = c.post(url(case, "hold"), {"expected_version": case.version, "reason": ""})
    assert response.status_code == 400
    response = c.post(url(case, "hold"), {"expected_version": case.version,
                                          "reason": "Waiting for asphalt"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ON_HOLD
    c.post(url(case, "resume"), {"expected_version": case.version, "note": ""})
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    response = c.post(url(case, "resolve"), {"expected_version": case.version,
                                             "note": "Filled and rolled"})
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert AuditEntry.objects.filter(action="case.resolved").exists()


def test_a_stale_version_shows_the_conflict_and_keeps_the_text(console_client, staff, log_case):
    case = log_case()
    c = console_client(staff["officer"])
    stale = case.version
    case_start(actor=staff["officer"], case=case)
    response = c.post(url(case, "resolve"), {"expected_version": stale,
                                             "note": "My careful words"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed" in html and "My careful words" in html
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_a_service_error_comes_back_on_the_form(console_client, staff, log_case):
    case = log_case()
    c = console_client(staff["officer"])
    response = c.post(url(case, "resolve"), {"expected_version": case.version, "note": "   "})
    assert response.status_code == 400
    assert "Tell the resident what was done" in response.content.decode() or \
        "This field is required" in response.content.decode()


def test_only_the_transitions_the_role_may_make_are_offered(console_client, staff, log_case):
    case = log_case()
    officer = page(console_client(staff["officer"]), case)
    assert 'id="act-start"' in officer and 'id="act-close"' not in officer
    agent = page(console_client(staff["agent"]), case)  # logs and cancels, does not work
    assert 'id="act-start"' not in agent and 'id="act-cancel"' in agent
    response = console_client(staff["agent"]).post(url(case, "start"),
                                                   {"expected_version": case.version})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status != Status.IN_PROGRESS


def test_a_councillor_sees_no_internal_notes_no_actions_and_no_assign(console_client, staff,
                                                                    log_case):
    case = log_case()
    case_comment(actor=staff["officer"], case=case, text="Secret staff words", public=False)
    case_comment(actor=staff["officer"], case=case, text="We are on our way", public=True)
    councillor = page(console_client(staff["councillor"]), case)
    assert "We are on our way" in councillor
    assert "Secret staff words" not in councillor
    assert 'id="actions-h"' not in councillor and 'id="assign-h"' not in councillor
    assert "Secret staff words" in page(console_client(staff["officer"]), case)


def test_internal_notes_and_public_replies_through_the_page(console_client, staff, log_case):
    case = log_case()
    c = console_client(staff["officer"])
    c.post(url(case, "comment-internal"), {"text": "Check the valve"})
    c.post(url(case, "comment-public"), {"text": "A team is coming"})
    kinds = dict(CaseUpdate.objects.filter(case=case, text__in=[
        "Check the valve", "A team is coming"]).values_list("text", "kind"))
    assert kinds == {"Check the valve": "internal", "A team is coming": "public"}
    response = c.post(url(case, "comment-public"), {"text": ""})
    assert response.status_code == 400


def test_assign_through_the_page(console_client, staff, log_case, department):
    case = log_case()
    c = console_client(staff["supervisor"])
    response = c.post(url(case, "assign"), {"expected_version": case.version,
                                            "assignee": staff["officer"].user.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee_id == staff["officer"].user.pk
    response = c.post(url(case, "assign"), {"expected_version": case.version})
    assert response.status_code == 400
    assert "Choose a department, team or person" in response.content.decode()


def test_a_work_order_is_issued_and_signed_off_through_the_page(console_client, staff,
                                                                log_case):
    case = log_case()
    c = console_client(staff["officer"])
    assert "Issue a work order" in page(c, case)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = c.post(url(case, "workorder"), {
        "contractor": staff["contractor"].user.pk, "scope": "Patch it", "due": due})
    assert response.status_code == 302
    order = WorkOrder.objects.get(case=case)
    order = workorder_accept(actor=staff["contractor"], order=order)
    order = workorder_complete(actor=staff["contractor"], order=order, note="Patched")
    assert "Sign off" in page(c, case)
    response = c.post(url(case, "signoff"), {"order": order.pk, "decision": "accept",
                                             "note": "Looks good"})
    assert response.status_code == 302
    order.refresh_from_db()
    case.refresh_from_db()
    assert order.state == WorkOrder.State.SIGNED_OFF and case.status == Status.RESOLVED


def test_a_work_order_to_someone_not_a_contractor_is_refused_on_the_form(console_client,
                                                                         staff, log_case):
    case = log_case()
    c = console_client(staff["officer"])
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = c.post(url(case, "workorder"), {
        "contractor": staff["contractor"].user.pk, "scope": "Patch it", "due": past})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The due date has already passed." in html and "Patch it" in html
    assert not WorkOrder.objects.exists()


def test_merge_asks_for_confirmation_first(console_client, staff, log_case):
    keep, duplicate = log_case(), log_case()
    c = console_client(staff["officer"])
    response = c.get(url(duplicate, "merge"), {"into": keep.reference})
    assert response.status_code == 200
    assert "Confirm merge" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    response = c.post(url(duplicate, "merge"), {"into": keep.reference, "confirm": "1"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == keep.pk


def test_merge_into_an_unknown_case_says_so(console_client, staff, log_case):
    case = log_case()
    response = console_client(staff["officer"]).get(url(case, "merge"), {"into": "nonsense"})
    assert response.status_code == 400
    assert "nonsense" in response.content.decode()


def test_the_case_page_takes_a_fixed_number_of_queries(console_client, staff, log_case,
                                                       django_assert_max_num_queries):
    case = log_case()
    c = console_client(staff["officer"])
    for n in range(10):
        case_comment(actor=staff["officer"], case=case, text=f"note {n}", public=n % 2 == 0)
    with django_assert_max_num_queries(20):
        assert c.get(url(case)).status_code == 200


def test_reject_cancel_close_and_reopen_through_the_page(console_client, staff, log_case):
    from imbizo.cases.lifecycle import case_resolve

    supervisor = console_client(staff["supervisor"])
    rejected, cancelled, closed = log_case(), log_case(), log_case()
    supervisor.post(url(rejected, "reject"), {"expected_version": rejected.version,
                                              "reason": "not_municipal", "note": "Private"})
    agent = console_client(staff["agent"], supervisor.__class__())
    agent.post(url(cancelled, "cancel"), {"expected_version": cancelled.version,
                                          "note": "Caller withdrew"})
    case_resolve(actor=staff["supervisor"], case=closed, note="Fixed")
    closed.refresh_from_db()
    assert 'id="act-close"' in page(supervisor, closed)
    supervisor.post(url(closed, "reopen"), {"expected_version": closed.version,
                                            "reason": "Still broken"})
    statuses = dict(Case.objects.values_list("pk", "status"))
    assert statuses[rejected.pk] == Status.REJECTED
    assert statuses[cancelled.pk] == Status.CANCELLED
    assert statuses[closed.pk] == Status.REOPENED
    closed.refresh_from_db()
    case_resolve(actor=staff["supervisor"], case=closed, note="Fixed again")
    closed.refresh_from_db()
    supervisor.post(url(closed, "close"), {"expected_version": closed.version})
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED
