"""Replaying a finished delivery: same event id and body, audited, tenancy-scoped."""

import httpx
import pytest

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.webhooks.models import WebhookDelivery
from imbizo.webhooks.selectors import webhook_delivery_list
from imbizo.webhooks.services import webhook_delivery_replay, webhook_subscription_deactivate

URL = "https://crm.aaa.example/imbizo"


@pytest.fixture
def aaa_admin(make_staff, two_municipalities):
    return make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": two_municipalities[0]})


@pytest.fixture
def finished(subscribe, emit_event, run_worker, two_municipalities, respx_mock):
    """A delivery the receiver refused with a 400; the route answers 200 from then on."""
    route = respx_mock.post(URL).mock(side_effect=[httpx.Response(400, text="bad"),
                                                   httpx.Response(200)])
    subscribe()
    emit_event("case_logged", two_municipalities[0])
    run_worker()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    return delivery, route


def test_a_failed_delivery_is_sent_again_with_the_same_event_id_and_body(
        finished, aaa_admin, run_worker, django_capture_on_commit_callbacks):
    delivery, route = finished
    with django_capture_on_commit_callbacks(execute=True):
        replayed = webhook_delivery_replay(actor=aaa_admin, delivery=delivery)
    assert (replayed.status, replayed.attempts, replayed.replays) == ("pending", 0, 1)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1
    assert [a.response_status for a in delivery.attempt_log.all()] == [400, 200]
    first, second = (call.request for call in route.calls)
    assert first.content == second.content == delivery.payload.encode()
    assert first.headers["X-Imbizo-Delivery"] == second.headers["X-Imbizo-Delivery"] == str(
        delivery.event_id)
    entry = AuditEntry.objects.get(action="webhook_delivery.replay")
    assert entry.actor == aaa_admin.label and entry.municipality_code == "AAA"
    assert entry.changes["event_id"] == str(delivery.event_id)
    assert entry.changes["previous_status"] == "failed"


def test_a_succeeded_delivery_can_be_replayed_too(finished, run_worker, respx_mock,
                                                  django_capture_on_commit_callbacks):
    delivery, route = finished
    system = system_actor("admin")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            webhook_delivery_replay(actor=system, delivery=delivery)
        run_worker()
        delivery.refresh_from_db()
        route.side_effect = None
        route.return_value = httpx.Response(200)
    assert delivery.status == "succeeded" and delivery.replays == 2
    assert route.call_count == 3
    assert len({call.request.content for call in route.calls}) == 1


def test_a_delivery_still_being_sent_cannot_be_replayed(subscribe, emit_event, aaa_admin,
                                                        two_municipalities):
    subscribe()
    emit_event("case_logged", two_municipalities[0])
    with pytest.raises(ImbizoError) as err:
        webhook_delivery_replay(actor=aaa_admin, delivery=WebhookDelivery.objects.get())
    assert err.value.code == "webhook_delivery_pending" and err.value.status == 409
    assert not AuditEntry.objects.filter(action="webhook_delivery.replay").exists()


def test_a_delivery_of_an_inactive_subscription_is_not_replayed(finished, aaa_admin):
    delivery, _ = finished
    webhook_subscription_deactivate(actor=aaa_admin, subscription=delivery.subscription)
    delivery.refresh_from_db()
    with pytest.raises(ImbizoError) as err:
        webhook_delivery_replay(actor=aaa_admin, delivery=delivery)
    assert err.value.code == "webhook_subscription_inactive"


def test_staff_of_another_municipality_can_neither_list_nor_replay_it(
        finished, aaa_admin, make_staff, two_municipalities):
    delivery, _ = finished
    _, bbb = two_municipalities
    bbb_admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": bbb})
    assert list(webhook_delivery_list(actor=aaa_admin)) == [delivery]
    assert list(webhook_delivery_list(actor=aaa_admin, status="failed")) == [delivery]
    assert not webhook_delivery_list(actor=aaa_admin, status="succeeded").exists()
    assert list(webhook_delivery_list(actor=aaa_admin,
                                      subscription=delivery.subscription)) == [delivery]
    assert not webhook_delivery_list(actor=bbb_admin).exists()
    with pytest.raises(ImbizoError) as err:
        webhook_delivery_replay(actor=bbb_admin, delivery=delivery)
    assert err.value.status == 403
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.replays == 0
