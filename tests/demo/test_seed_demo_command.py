"""``imbizo seed-demo``: guarded by DEBUG, loads once, reuses after."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from imbizo.accounts.models import Citizen, Consent, Department, Membership
from imbizo.audit.models import AuditEntry
from imbizo.geo.models import Municipality, Province, TraditionalAuthority, Ward


def counts() -> dict[str, int]:
    models = (Province, Municipality, Ward, TraditionalAuthority, Department, Membership,
              Citizen, Consent, AuditEntry)
    return {m.__name__: m.objects.count() for m in models}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"cases": 300, **options})
    return out.getvalue()


@pytest.mark.django_db
def test_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off.*--force"):
        seed()
    assert not Municipality.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_loads_with_debug_on_without_force(settings):
    settings.DEBUG = True
    out = seed()
    assert "Loaded the demo municipality Demo Local Municipality (DMO): 32 wards" in out
    assert Ward.objects.filter(municipality__code="DMO").count() == 32


@pytest.mark.django_db
def test_a_second_run_reuses_the_demo_without_duplicates():
    first = seed(force=True)
    before = counts()
    second = seed(force=True)
    assert "Loaded" in first
    assert "already loaded; reusing it" in second
    assert counts() == before  # not even an audit entry
    assert before["Ward"] == 32 and before["Citizen"] == 200 and before["Department"] == 7


@pytest.mark.django_db
def test_another_seed_after_loading_still_reuses_the_demo():
    seed(force=True)
    before = counts()
    assert "already loaded" in seed(force=True, seed=99)
    assert counts() == before
