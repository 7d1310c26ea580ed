"""The admin: subscriptions through the services, the secret shown once, the delivery log
read-only with its attempts, and replaying from it."""

import httpx
import pytest

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.webhooks.models import WebhookDelivery, WebhookSubscription

ADD = "/admin/webhooks/webhooksubscription/add/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


@pytest.fixture
def admin_of(client, make_staff, two_municipalities):
    def login(index):
        actor = make_staff({"role": Role.MUNICIPAL_ADMIN,
                            "municipality": two_municipalities[index]})
        client.force_login(actor.user)
        return client
    return login


def test_adding_a_subscription_shows_its_secret_once(admin_of, two_municipalities):
    aaa, _ = two_municipalities
    client = admin_of(0)
    page = client.post(ADD, {"municipality": aaa.pk, "url": "https://crm.aaa.example/in",
                             "events": ["case_logged", "case_merged"],
                             "description": "Billing"})
    subscription = WebhookSubscription.objects.get()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert subscription.secret in page.content.decode()
    assert subscription.events == ["case_logged", "case_merged"] and subscription.active
    assert AuditEntry.objects.filter(action="webhook_subscription.create",
                                     municipality_code="AAA").count() == 1
    change = client.get(f"/admin/webhooks/webhooksubscription/{subscription.pk}/change/")
    listing = client.get("/admin/webhooks/webhooksubscription/")
    assert change.status_code == listing.status_code == 200
    for later in (change, listing):
        assert subscription.secret not in later.content.decode()


def test_a_bad_url_is_a_field_error_that_keeps_what_was_typed(admin_of, two_municipalities):
    page = admin_of(0).post(ADD, {"municipality": two_municipalities[0].pk,
                                  "url": "http://crm.aaa.example/in", "events": ["case_logged"],
                                  "description": "Typed by hand"})
    assert page.status_code == 200 and "must start with https://" in page.content.decode()
    assert b'value="Typed by hand"' in page.content
    assert not WebhookSubscription.objects.exists()


def test_changing_goes_through_the_service(admin_of, subscribe):
    subscription = subscribe()
    page = admin_of(0).post(f"/admin/webhooks/webhooksubscription/{subscription.pk}/change/",
                            {"url": "https://crm.aaa.example/v2", "events": ["case_assigned"],
                             "description": "", "active": ""})
    assert page.status_code == 302
    stored = WebhookSubscription.objects.get()
    assert (stored.url, stored.events, stored.active, stored.secret) == (
        "https://crm.aaa.example/v2", ["case_assigned"], False, subscription.secret)
    entry = AuditEntry.objects.get(action="webhook_subscription.update")
    assert entry.channel == "admin" and set(entry.changes) == {"url", "events", "active"}


def test_another_municipalitys_admin_cannot_see_or_add_there(admin_of, subscribe,
                                                             two_municipalities):
    aaa, _ = two_municipalities
    subscription = subscribe(description="AAA's CRM")
    client = admin_of(1)
    assert b"AAA&#x27;s CRM" not in client.get("/admin/webhooks/webhooksubscription/").content
    other = client.get(f"/admin/webhooks/webhooksubscription/{subscription.pk}/change/")
    assert other.status_code == 302
    refused = client.post(ADD, {"municipality": aaa.pk, "url": "https://evil.example/in",
                                "events": ["case_logged"]})
    assert refused.status_code == 200 and WebhookSubscription.objects.count() == 1


def test_staff_without_webhook_manage_have_no_webhook_admin(client, make_staff,
                                                            two_municipalities):
    agent = make_staff({"role": Role.AGENT, "municipality": two_municipalities[0]})
    client.force_login(agent.user)
    assert client.get("/admin/webhooks/webhooksubscription/").status_code == 403
    assert client.get(DELIVERIES).status_code == 403


@pytest.fixture
def failed_delivery(subscribe, emit_event, run_worker, two_municipalities, respx_mock):
    route = respx_mock.post("https://crm.aaa.example/imbizo").mock(
        side_effect=[httpx.Response(404, text="no such hook"), httpx.Response(200)])
    subscribe()
    emit_event("case_logged", two_municipalities[0])
    run_worker()
    return WebhookDelivery.objects.get(), route


def test_the_delivery_log_is_read_only_and_shows_the_attempts(failed_delivery, admin_of):
    delivery, _ = failed_delivery
    client = admin_of(0)
    listing = client.get(DELIVERIES, {"subscription__id__exact": delivery.subscription_id})
    assert listing.status_code == 200 and str(delivery.event_id) in listing.content.decode()
    page = client.get(f"{DELIVERIES}{delivery.pk}/change/")
    assert page.status_code == 200
    assert "no such hook" in page.content.decode() and "AAA-000123" in page.content.decode()
    assert b'name="_save"' not in page.content
    client.post(f"{DELIVERIES}{delivery.pk}/change/", {"status": "succeeded"})
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert admin_of(1).get(f"{DELIVERIES}{delivery.pk}/change/").status_code == 302


def test_replay_selected_deliveries(failed_delivery, admin_of, run_worker,
                                    django_capture_on_commit_callbacks):
    delivery, route = failed_delivery
    client = admin_of(0)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(DELIVERIES, {"action": "replay", "_selected_action": [delivery.pk]},
                           follow=True)
    assert "1 deliveries will be sent again" in page.content.decode()
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.replays == 1
    assert route.calls[0].request.content == route.calls[1].request.content
    assert AuditEntry.objects.get(action="webhook_delivery.replay").channel == "admin"
