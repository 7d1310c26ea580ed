"""Creating, changing and deactivating subscriptions; validation, audit and tenancy."""

import json

import pytest

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.webhooks.events import WEBHOOK_EVENTS
from imbizo.webhooks.models import WebhookSubscription
from imbizo.webhooks.selectors import access_webhook_subscription, webhook_subscription_list
from imbizo.webhooks.services import (
    webhook_subscription_create,
    webhook_subscription_deactivate,
    webhook_subscription_update,
)


@pytest.fixture
def admins(two_municipalities, make_staff):
    aaa, bbb = two_municipalities
    return (make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": aaa}),
            make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": bbb}))


def create(actor, municipality, **kwargs):
    return webhook_subscription_create(actor=actor, municipality=municipality, **{
        "url": "https://crm.example.org/imbizo", "events": ["case_logged"], **kwargs})


def test_a_municipal_admin_subscribes_and_gets_a_generated_secret(admins, two_municipalities):
    aaa, _ = two_municipalities
    subscription = create(admins[0], aaa, events=["case_assigned", "case_logged"],
                          description=" Billing ERP ")
    stored = WebhookSubscription.objects.get(pk=subscription.pk)
    assert stored.municipality == aaa and stored.active
    assert stored.events == ["case_logged", "case_assigned"]  # WEBHOOK_EVENTS order
    assert stored.description == "Billing ERP"
    assert len(subscription.secret) == 43 and stored.secret == subscription.secret
    assert create(admins[0], aaa).secret != subscription.secret


def test_a_given_secret_is_kept_and_a_short_one_refused(admins, two_municipalities):
    aaa, _ = two_municipalities
    secret = "receiver-chosen-secret-0123456789"
    assert create(admins[0], aaa, secret=secret).secret == secret
    with pytest.raises(ImbizoError) as err:
        create(admins[0], aaa, secret="short")
    assert err.value.code == "weak_webhook_secret"


def test_plain_http_is_refused_outside_debug_with_a_clear_error(admins, two_municipalities,
                                                                settings):
    aaa, _ = two_municipalities
    settings.DEBUG = False
    with pytest.raises(ImbizoError) as err:
        create(admins[0], aaa, url="http://crm.example.org/imbizo")
    assert err.value.code == "webhook_url_not_https" and err.value.status == 400
    assert "https://" in err.value.message and err.value.extra == {"field": "url"}
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8001/hook", "http://localhost/hook",
                                 "http://[::1]:9000/hook"])
def test_plain_http_to_this_machine_is_allowed(admins, two_municipalities, url):
    assert create(admins[0], two_municipalities[0], url=url).url == url


def test_plain_http_anywhere_is_allowed_under_debug(admins, two_municipalities, settings):
    settings.DEBUG = True
    url = "http://crm.example.org/imbizo"
    assert create(admins[0], two_municipalities[0], url=url).url == url


@pytest.mark.parametrize("url", ["", "crm.example.org", "ftp://crm.example.org/x",
                                 "https://", "javascript:alert(1)"])
def test_a_malformed_url_is_refused(admins, two_municipalities, url):
    with pytest.raises(ImbizoError) as err:
        create(admins[0], two_municipalities[0], url=url)
    assert err.value.code == "invalid_webhook_url"


def test_unknown_event_names_are_refused_and_named(admins, two_municipalities):
    with pytest.raises(ImbizoError) as err:
        create(admins[0], two_municipalities[0], events=["case_logged", "case_deleted"])
    assert err.value.code == "unknown_webhook_event"
    assert "case_deleted" in err.value.message and err.value.extra["unknown"] == ["case_deleted"]
    with pytest.raises(ImbizoError) as err:
        create(admins[0], two_municipalities[0], events=[])
    assert err.value.code == "no_webhook_events"
    with pytest.raises(ImbizoError):
        create(admins[0], two_municipalities[0], events="case_logged")
    assert not WebhookSubscription.objects.exists()


def test_every_webhook_event_can_be_subscribed(admins, two_municipalities):
    subscription = create(admins[0], two_municipalities[0], events=list(WEBHOOK_EVENTS))
    assert tuple(subscription.events) == WEBHOOK_EVENTS


def test_update_changes_only_what_is_given_and_audits_it(admins, two_municipalities):
    subscription = create(admins[0], two_municipalities[0], description="CRM")
    secret = subscription.secret
    webhook_subscription_update(actor=admins[0], subscription=subscription,
                                url="https://crm2.example.org/in",
                                events=["workorder_changed"])
    stored = WebhookSubscription.objects.get(pk=subscription.pk)
    assert (stored.url, stored.events, stored.description, stored.secret) == (
        "https://crm2.example.org/in", ["workorder_changed"], "CRM", secret)
    entry = AuditEntry.objects.filter(action="webhook_subscription.update").get()
    assert entry.changes == {"url": "https://crm2.example.org/in",
                             "events": ["workorder_changed"]}
    assert entry.actor == admins[0].label and entry.municipality_code == "AAA"
    webhook_subscription_update(actor=admins[0], subscription=stored, description="CRM")
    assert AuditEntry.objects.filter(action="webhook_subscription.update").count() == 1


def test_update_runs_the_same_checks_as_create(admins, two_municipalities):
    subscription = create(admins[0], two_municipalities[0])
    for change in ({"url": "http://crm.example.org/"}, {"events": ["nope"]}):
        with pytest.raises(ImbizoError):
            webhook_subscription_update(actor=admins[0], subscription=subscription, **change)
    stored = WebhookSubscription.objects.get(pk=subscription.pk)
    assert stored.url == "https://crm.example.org/imbizo" and stored.events == ["case_logged"]


def test_deactivate(admins, two_municipalities):
    subscription = create(admins[0], two_municipalities[0])
    webhook_subscription_deactivate(actor=admins[0], subscription=subscription)
    assert not WebhookSubscription.objects.get(pk=subscription.pk).active
    entry = AuditEntry.objects.get(action="webhook_subscription.update")
    assert entry.changes == {"active": False}


def test_the_secret_and_url_credentials_never_reach_the_audit_log(admins, two_municipalities):
    aaa, _ = two_municipalities
    given = create(admins[0], aaa, secret="a-secret-the-receiver-chose-123",
                   url="https://user:pa55word@crm.example.org/in?token=t0ken")
    generated = create(admins[0], aaa)
    webhook_subscription_update(actor=admins[0], subscription=generated,
                                url="https://crm.example.org/new?key=k3y", description="x")
    webhook_subscription_deactivate(actor=admins[0], subscription=given)
    entries = list(AuditEntry.objects.filter(action__startswith="webhook_subscription."))
    assert len(entries) == 4
    text = json.dumps([[e.changes, e.object_id, e.action] for e in entries])
    for leaked in (given.secret, generated.secret, "pa55word", "t0ken", "k3y"):
        assert leaked not in text
    created = next(e for e in entries if e.object_id == str(given.uuid))
    assert created.changes["url"] == "https://crm.example.org/in"


def test_staff_of_another_municipality_can_neither_see_nor_change_it(admins,
                                                                    two_municipalities):
    aaa, bbb = two_municipalities
    aaa_admin, bbb_admin = admins
    ours = create(aaa_admin, aaa)
    theirs = create(bbb_admin, bbb)
    assert list(webhook_subscription_list(actor=aaa_admin)) == [ours]
    assert list(webhook_subscription_list(actor=bbb_admin)) == [theirs]
    with pytest.raises(ImbizoError) as err:
        access_webhook_subscription(bbb_admin, ours.uuid)
    assert err.value.status == 404
    for attempt in (
        lambda: create(bbb_admin, aaa),
        lambda: webhook_subscription_update(actor=bbb_admin, subscription=ours,
                                            url="https://evil.example.org/"),
        lambda: webhook_subscription_deactivate(actor=bbb_admin, subscription=ours),
    ):
        with pytest.raises(ImbizoError) as err:
            attempt()
        assert err.value.status == 403
    stored = WebhookSubscription.objects.get(pk=ours.pk)
    assert stored.url == "https://crm.example.org/imbizo" and stored.active


def test_staff_without_webhook_manage_see_and_change_nothing(admins, make_staff,
                                                             two_municipalities):
    aaa, _ = two_municipalities
    ours = create(admins[0], aaa)
    for role in (Role.AGENT, Role.MANAGER, Role.ANALYST):
        actor = make_staff({"role": role, "municipality": aaa})
        assert not webhook_subscription_list(actor=actor).exists()
        with pytest.raises(ImbizoError):
            webhook_subscription_update(actor=actor, subscription=ours, active=False)


def test_a_platform_admin_sees_every_municipalitys_subscriptions(admins, make_staff,
                                                                  two_municipalities):
    aaa, bbb = two_municipalities
    both = {create(admins[0], aaa).pk, create(admins[1], bbb).pk}
    platform = make_staff({"role": Role.PLATFORM_ADMIN})
    assert set(webhook_subscription_list(actor=platform).values_list("pk", flat=True)) == both
