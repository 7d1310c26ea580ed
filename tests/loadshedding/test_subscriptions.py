"""Following an area: the one service every channel calls. Idempotent, capped, refused
for an area without a schedule, audited, and the resident's consent to alerts recorded."""

import pytest

from imbizo.accounts.models import Consent
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_erase, citizen_export
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.loadshedding import subscriptions
from imbizo.loadshedding.importer import loadshedding_import
from imbizo.loadshedding.models import Subscription
from imbizo.loadshedding.subscription_selectors import subscribed, subscriptions_for
from imbizo.loadshedding.subscriptions import loadshedding_subscribe, loadshedding_unsubscribe

from .alerts import resident
from .conftest import meta, write_dataset


def subscribe(citizen, key):
    return loadshedding_subscribe(actor=citizen_actor(citizen, channel="web"), citizen=citizen,
                                  key=key)


def test_following_twice_is_one_subscription_audited_once_with_consent(areas):
    nomsa = resident("0821000001")
    first, again = subscribe(nomsa, "test-area-1"), subscribe(nomsa, "test-area-1")
    assert first.pk == again.pk and Subscription.objects.count() == 1
    assert [f.key for f in subscriptions_for(nomsa)] == ["test-area-1"]
    assert subscribed(nomsa, "test-area-1") and not subscribed(nomsa, "test-area-2")
    assert Consent.objects.filter(citizen=nomsa, purpose="broadcasts",
                                  withdrawn__isnull=True).count() == 1
    assert AuditEntry.objects.filter(action="loadshedding.subscribe").count() == 1


def test_stopping_is_audited_and_stopping_again_is_no_error(areas):
    nomsa = resident("0821000001")
    subscribe(nomsa, "test-area-1")
    actor = citizen_actor(nomsa, channel="web")
    assert loadshedding_unsubscribe(actor=actor, citizen=nomsa, key="test-area-1") is True
    assert loadshedding_unsubscribe(actor=actor, citizen=nomsa, key="test-area-1") is False
    assert not Subscription.objects.exists()
    assert AuditEntry.objects.filter(action="loadshedding.unsubscribe").count() == 1
    assert Consent.objects.filter(citizen=nomsa, purpose="broadcasts",  # covers news too
                                  withdrawn__isnull=True).exists()


def test_a_resident_follows_at_most_a_few_areas(areas, monkeypatch):
    monkeypatch.setattr(subscriptions, "MAX_AREAS", 1)
    nomsa = resident("0821000001")
    subscribe(nomsa, "test-area-1")
    with pytest.raises(ImbizoError) as refused:
        subscribe(nomsa, "test-area-2")
    assert (refused.value.code, refused.value.status) == ("too_many_areas", 409)
    assert "1 areas already" in refused.value.message
    subscribe(nomsa, "test-area-1")  # one already followed is still fine


def test_an_unknown_area_or_one_without_a_schedule_is_refused(two_municipalities, tmp_path,
                                                             django_capture_on_commit_callbacks):
    folder = write_dataset(tmp_path / "c", {"with-times": [(1, "06:00", "08:30", 1)]},
                           [meta("with-times"), meta("listed-only", suburbs=["Nowhere"])])
    with django_capture_on_commit_callbacks(execute=True):
        loadshedding_import(actor=system_actor("cli"), directory=folder)
    nomsa = resident("0821000001")
    with pytest.raises(ImbizoError) as unknown:
        subscribe(nomsa, "nowhere")
    with pytest.raises(ImbizoError) as empty:
        subscribe(nomsa, "listed-only")
    assert (unknown.value.code, unknown.value.status) == ("unknown_area", 404)
    assert (empty.value.code, empty.value.status) == ("area_without_schedule", 422)
    assert "no load-shedding schedule" in empty.value.message
    assert not Subscription.objects.exists() and not AuditEntry.objects.filter(
        action="loadshedding.subscribe").exists()


def test_only_the_resident_follows_for_themself(areas):
    nomsa, thabo = resident("0821000001"), resident("0821000002")
    with pytest.raises(ImbizoError) as refused:
        loadshedding_subscribe(actor=citizen_actor(thabo, channel="web"), citizen=nomsa,
                               key="test-area-1")
    assert refused.value.status == 403
    with pytest.raises(ImbizoError):
        loadshedding_subscribe(actor=system_actor("cli"), citizen=nomsa, key="test-area-1")


def test_subscriptions_are_exported_and_erased(areas):
    nomsa = resident("0821000001")
    subscribe(nomsa, "test-area-1")
    actor = citizen_actor(nomsa, channel="web")
    exported = citizen_export(actor=actor, citizen=nomsa)
    assert [a["area"] for a in exported["loadshedding"]["areas_followed"]] == ["test-area-1"]
    citizen_erase(actor=actor, citizen=nomsa)
    assert not Subscription.objects.exists()
