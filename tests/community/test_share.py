"""Sharing: each municipality's short link lands a neighbour on its home page on the site,
the text names the link and the USSD code, and each opening and hand-out is counted (a
number, never whose)."""

import pytest

from imbizo.audit.models import AuditEntry
from imbizo.community.share import share_code_for, share_code_set, share_text
from imbizo.community.share_models import ShareCode
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import system_actor


@pytest.fixture
def shared(aaa, staff):
    return share_code_set(actor=staff["manager"], municipality=aaa, ussd_code="*120*4629#")


def test_the_share_code_is_made_once_from_the_municipalitys_code(aaa):
    first = share_code_for(aaa)
    assert first.code == "aaa" and share_code_for(aaa) == first
    assert ShareCode.objects.count() == 1
    assert AuditEntry.objects.filter(action="community.share_create").count() == 1


def test_the_text_names_the_municipality_the_link_and_the_ussd_code(shared, aaa, settings):
    assert share_text(shared, aaa) == (f"Report faults to Aaa Local: {settings.SITE_URL}/s/aaa "
                                       "or dial *120*4629#")
    share_code_set(actor=system_actor(), municipality=aaa, ussd_code="")
    shared.refresh_from_db()
    assert share_text(shared, aaa) == f"Report faults to Aaa Local: {settings.SITE_URL}/s/aaa"


def test_the_short_link_lands_on_the_municipalitys_home_and_is_counted(shared, client, bbb):
    share_code_for(bbb)
    for _n in range(2):
        response = client.get("/s/aaa")
        assert response.status_code == 302 and response["Location"] == "/?m=AAA"
    assert client.get("/s/AAA")["Location"] == "/?m=AAA"  # as typed from a poster
    home = client.get("/?m=AAA")
    assert b"Aaa Local" in home.content
    shared.refresh_from_db()
    assert shared.opened == 3
    assert ShareCode.objects.get(code="bbb").opened == 0
    assert client.get("/s/nowhere").status_code == 404


@pytest.mark.parametrize(("values", "field"), [
    ({"ussd_code": "120*4629"}, "ussd_code"),
    ({"ussd_code": "*120*abc#"}, "ussd_code"),
    ({"ussd_code": "", "code": "a b"}, "code"),
    ({"ussd_code": "", "code": "bbb"}, "code"),  # taken by BBB
])
def test_a_bad_ussd_code_or_short_code_is_refused_on_its_field(shared, aaa, bbb, staff, values,
                                                               field):
    share_code_for(bbb)
    with pytest.raises(ImbizoError) as refused:
        share_code_set(actor=staff["manager"], municipality=aaa, **values)
    assert refused.value.extra["field"] == field


def test_a_new_code_ends_the_old_link(shared, aaa, staff, client):
    share_code_set(actor=staff["manager"], municipality=aaa, ussd_code="*120*4629#",
                   code="aaa-local")
    assert client.get("/s/aaa").status_code == 404
    assert client.get("/s/aaa-local")["Location"] == "/?m=AAA"
    entry = AuditEntry.objects.filter(action="community.share_set").order_by("-seq").first()
    assert entry.changes == {"code": "aaa-local"}


def test_only_staff_of_the_whole_municipality_set_what_it_shares(aaa, staff):
    for who in ("councillor", "water", "agent", "other"):
        with pytest.raises(PermissionDenied):
            share_code_set(actor=staff[who], municipality=aaa, ussd_code="*120*1#")
