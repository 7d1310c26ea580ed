"""Renaming and revoking API keys: only where the caller manages keys, and a revoked key
is refused at once and stays revoked."""

import pytest

from imbizo.accounts.models import Role
from imbizo.api.keys import api_key_actor, api_key_create, api_key_rename, api_key_revoke
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor


@pytest.fixture
def key(two_municipalities):
    return api_key_create(actor=system_actor("cli"), municipality=two_municipalities[0],
                          name="CRM")


def test_a_revoked_key_is_refused_at_once_and_the_revocation_audited_once(key, make_staff,
                                                                          two_municipalities):
    row, secret = key
    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": two_municipalities[0]})
    assert api_key_actor(secret) is not None
    api_key_revoke(actor=admin, key=row)
    api_key_revoke(actor=admin, key=row)
    assert api_key_actor(secret) is None
    entry = AuditEntry.objects.get(action="apikey.revoke")
    assert entry.municipality_code == "AAA" and secret not in str(entry.changes)


def test_only_a_key_manager_of_its_municipality_renames_or_revokes_it(key, make_staff,
                                                                      two_municipalities):
    row, secret = key
    aaa, bbb = two_municipalities
    for actor in (make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": bbb}),
                  make_staff({"role": Role.MANAGER, "municipality": aaa})):
        with pytest.raises(ImbizoError) as renamed:
            api_key_rename(actor=actor, key=row, name="Mine")
        with pytest.raises(ImbizoError) as revoked:
            api_key_revoke(actor=actor, key=row)
        assert renamed.value.status == revoked.value.status == 403
    row.refresh_from_db()
    assert (row.name, row.active) == ("CRM", True) and api_key_actor(secret) is not None


def test_a_rename_is_audited_by_field_name(key, make_staff, two_municipalities):
    row, _ = key
    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": two_municipalities[0]})
    api_key_rename(actor=admin, key=row, name="CRM (billing)")
    row.refresh_from_db()
    assert row.name == "CRM (billing)"
    assert AuditEntry.objects.get(action="apikey.rename").changes == {"fields": ["name"]}
