"""Revenue staff's queues: proposals outside the policy approved or declined with a reason
(through ``arrangement_decide``, audited), every arrangement by status, and flagged
readings accepted or corrected (through ``reading_review``, audited). A refused step comes
back on its form with what was typed."""

import re

import pytest

from imbizo.audit.models import AuditEntry
from imbizo.billing.arrangement_models import Arrangement, MeterReading
from imbizo.billing.arrangements import arrangement_decide
from imbizo.billing.readings import reading_review
from imbizo.core.errors import PermissionDenied

pytest_plugins = ["tests.console.revenue_fixtures"]


def test_a_proposal_waits_and_is_approved_audited(revenue_staff, proposal, console_client,
                                                  django_assert_max_num_queries):
    c = console_client(revenue_staff["revenue"])
    c.get("/console/revenue/arrangements/waiting")
    with django_assert_max_num_queries(10):
        page = c.get("/console/revenue/arrangements/waiting").content.decode()
    assert "1001" in page and "the deposit is less than R110.00" in page
    response = c.post(f"/console/revenue/arrangements/{proposal.uuid}/decide",
                      {"decision": "approve", "reason": "Lost her job; pays what she can"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Arrangement.Status.APPROVED and not proposal.auto
    assert proposal.decided_by == revenue_staff["revenue"].user
    entry = AuditEntry.objects.get(action="billing.arrangement_decide")
    assert entry.actor == f"user:{revenue_staff['revenue'].user.pk}"
    assert entry.channel == "console" and entry.changes["status"] == "approved"
    assert ">1001</a>" not in c.get("/console/revenue/arrangements/waiting").content.decode()


def test_a_decline_needs_a_reason_and_keeps_what_was_typed(revenue_staff, proposal,
                                                          console_client):
    c = console_client(revenue_staff["revenue"])
    url = f"/console/revenue/arrangements/{proposal.uuid}/decide"
    response = c.post(url, {"decision": "decline", "reason": "   "})
    html = response.content.decode()
    assert response.status_code == 400 and "reason it is not approved" in html
    assert re.search(r'value="decline"[^>]*checked', html)
    response = c.post(url, {"decision": "maybe", "reason": "Because"})
    assert response.status_code == 400 and "Because" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Arrangement.Status.PROPOSED
    assert not AuditEntry.objects.filter(action="billing.arrangement_decide").exists()
    assert c.post(url, {"decision": "decline", "reason": "Too little deposit"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Arrangement.Status.REJECTED
    assert proposal.reason == "Too little deposit"
    again = c.post(url, {"decision": "approve"}, follow=True)
    assert "already been decided" in again.content.decode()


def test_others_cannot_decide(revenue_staff, proposal, console_client, client):
    url = f"/console/revenue/arrangements/{proposal.uuid}/decide"
    data = {"decision": "approve"}
    assert console_client(revenue_staff["water"]).post(url, data).status_code == 403
    assert console_client(revenue_staff["bbb"], client.__class__()).post(url, data) \
        .status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == Arrangement.Status.PROPOSED


def test_arrangements_are_listed_by_status_including_broken(revenue_staff, proposal,
                                                            console_client,
                                                            django_assert_max_num_queries):
    c = console_client(revenue_staff["revenue"])
    c.get("/console/revenue/arrangements")
    with django_assert_max_num_queries(9):
        every = c.get("/console/revenue/arrangements").content.decode()
    assert "1001" in every and "Waiting for a decision" in every
    assert "1001" in c.get("/console/revenue/arrangements?status=proposed").content.decode()
    broken = c.get("/console/revenue/arrangements?status=broken").content.decode()
    assert '<option value="broken" selected>' in broken and ">1001</a>" not in broken
    assert c.get("/console/revenue/arrangements?status=nonsense").status_code == 200


def test_a_flagged_reading_is_corrected_audited(revenue_staff, flagged, console_client,
                                                django_assert_max_num_queries):
    c = console_client(revenue_staff["revenue"])
    c.get("/console/revenue/readings")
    with django_assert_max_num_queries(9):
        page = c.get("/console/revenue/readings").content.decode()
    assert "Lower than the last reading" in page
    assert f'src="/console/revenue/readings/{flagged.uuid}/photo"' in page
    url = f"/console/revenue/readings/{flagged.uuid}/review"
    assert c.post(url, {"outcome": "corrected", "value": "1001.5",
                        "note": "Photo shows 1001.5"}).status_code == 302
    flagged.refresh_from_db()
    assert flagged.review == MeterReading.Review.CORRECTED
    assert str(flagged.corrected_value) == "1001.500"
    entry = AuditEntry.objects.get(action="billing.reading_review")
    assert entry.actor == f"user:{revenue_staff['revenue'].user.pk}"
    assert ">1001</a>" not in c.get("/console/revenue/readings").content.decode()


def test_a_bad_correction_comes_back_with_what_was_typed(revenue_staff, flagged,
                                                         console_client):
    c = console_client(revenue_staff["revenue"])
    url = f"/console/revenue/readings/{flagged.uuid}/review"
    response = c.post(url, {"outcome": "corrected", "value": "lots", "note": "hm"})
    html = response.content.decode()
    assert response.status_code == 400 and 'value="lots"' in html
    missing = c.post(url, {"outcome": "corrected", "value": ""})
    assert missing.status_code == 400 and "Give the value to bill." in missing.content.decode()
    flagged.refresh_from_db()
    assert flagged.reviewed_at is None
    assert not AuditEntry.objects.filter(action="billing.reading_review").exists()
    assert c.post(url, {"outcome": "accepted"}).status_code == 302


def test_others_cannot_review(revenue_staff, flagged, console_client, client):
    url = f"/console/revenue/readings/{flagged.uuid}/review"
    assert console_client(revenue_staff["agent"]).post(url, {"outcome": "accepted"}) \
        .status_code == 403
    assert console_client(revenue_staff["bbb"], client.__class__()).post(
        url, {"outcome": "accepted"}).status_code == 404
    flagged.refresh_from_db()
    assert flagged.reviewed_at is None


def test_the_services_themselves_refuse_a_manager_of_another_department(revenue_staff, proposal,
                                                                         flagged):
    """Not only the console: ``arrangement_decide`` and ``reading_review`` (whatever calls
    them) refuse a Water manager, who holds ``billing.manage`` by role."""
    water = revenue_staff["water"]
    with pytest.raises(PermissionDenied):
        arrangement_decide(actor=water, arrangement=proposal, approve=True)
    with pytest.raises(PermissionDenied):
        reading_review(actor=water, reading=flagged, outcome="accepted")
    assert arrangement_decide(actor=revenue_staff["manager"], arrangement=proposal,
                              approve=True).status == Arrangement.Status.APPROVED
    assert reading_review(actor=revenue_staff["revenue"], reading=flagged,
                          outcome="accepted").reviewed_at is not None
