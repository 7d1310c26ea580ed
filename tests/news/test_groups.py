"""Interest groups: staff create them; a resident joins (their consent to news messages
recorded) and leaves; a resident's groups and reads are in their export and erasure."""

import pytest

from imbizo.accounts.models import Consent, Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_erase, citizen_export
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import system_actor
from imbizo.news.groups import (
    interest_group_create,
    interest_group_join,
    interest_group_leave,
    news_read_record,
)
from imbizo.news.models import GroupMembership, InterestGroup, NewsRead

from .conftest import broadcast


@pytest.fixture
def water(publisher, aaa):
    return interest_group_create(actor=publisher, municipality=aaa, name=" Water  outages ",
                                 description="Cuts and tankers")


def test_staff_who_publish_create_groups_with_unique_names(water, publisher, aaa,
                                                          make_staff):
    assert water.name == "Water outages"
    with pytest.raises(ImbizoError) as taken:
        interest_group_create(actor=publisher, municipality=aaa, name="water OUTAGES")
    assert (taken.value.code, taken.value.extra["field"]) == ("group_exists", "name")
    with pytest.raises(ImbizoError) as unnamed:
        interest_group_create(actor=publisher, municipality=aaa, name="  ")
    assert unnamed.value.extra["field"] == "name"
    officer = make_staff({"role": Role.OFFICER, "municipality": aaa})
    with pytest.raises(PermissionDenied):
        interest_group_create(actor=officer, municipality=aaa, name="Youth jobs")
    assert AuditEntry.objects.filter(action="news.group_create").count() == 1


def test_joining_records_the_membership_and_the_consent_to_news(water, make_resident):
    citizen = make_resident("0821000001", consent=False)
    actor = citizen_actor(citizen, channel="whatsapp")
    membership = interest_group_join(actor=actor, group=water)
    assert (membership.channel, membership.left) == ("whatsapp", None)
    assert interest_group_join(actor=actor, group=water).pk == membership.pk  # again: same
    consent = Consent.objects.get(citizen=citizen, purpose=Consent.Purpose.BROADCASTS)
    assert (consent.channel, consent.withdrawn) == ("whatsapp", None)
    assert list(AuditEntry.objects.filter(action__in=["news.group_join", "consent.give"])
                .order_by("seq").values_list("action", flat=True)) == [
        "consent.give", "news.group_join"]


def test_leaving_ends_the_membership_keeps_it_and_keeps_the_consent(water, make_resident):
    citizen = make_resident("0821000001")
    actor = citizen_actor(citizen, channel="web")
    interest_group_join(actor=actor, group=water)
    assert interest_group_leave(actor=actor, group=water) is True
    assert interest_group_leave(actor=actor, group=water) is False
    assert GroupMembership.objects.get(citizen=citizen).left is not None
    assert Consent.objects.filter(citizen=citizen, withdrawn__isnull=True).exists()
    interest_group_join(actor=actor, group=water)  # back again: a new membership
    assert GroupMembership.objects.filter(citizen=citizen).count() == 2


def test_only_a_resident_joins_and_only_an_open_group(water, publisher, aaa, make_resident):
    with pytest.raises(PermissionDenied):
        interest_group_join(actor=publisher, group=water)
    closed = InterestGroup.objects.create(municipality=aaa, name="Old", active=False)
    with pytest.raises(ImbizoError) as refused:
        interest_group_join(actor=citizen_actor(make_resident("0821000001"), channel="web"),
                            group=closed)
    assert refused.value.code == "group_closed"


def test_a_residents_groups_and_reads_are_exported_and_erased(water, publisher, aaa,
                                                             make_resident):
    citizen = make_resident("0821000001")
    actor = citizen_actor(citizen, channel="web")
    interest_group_join(actor=actor, group=water)
    item = broadcast(publisher, aaa, kind="news")
    news_read_record(actor=actor, item=item)
    data = citizen_export(actor=actor, citizen=citizen)["news"]
    assert [g["group"] for g in data["interest_groups"]] == ["Water outages"]
    assert [r["title"] for r in data["news_read"]] == [item.title]
    citizen_erase(actor=system_actor("cli"), citizen=citizen)
    assert not GroupMembership.objects.exists()
    assert NewsRead.objects.get().citizen is None  # the figure stays, naming nobody
