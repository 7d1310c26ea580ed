"""The demo's representatives: a councillor and committee for every DMO ward, PR
councillors and the traditional council, all with photos that answer; the demo's
councillor login linked to ward 1; a second load adds nothing. (The rest of the demo is
built here from its generated layers only: ``demo_seed`` runs this part too, in
tests/demo.)"""

import pytest

from imbizo.accounts.services import staff_user_create
from imbizo.audit.models import AuditEntry
from imbizo.core.permissions import system_actor
from imbizo.demo import representatives as demo_representatives
from imbizo.demo.geography import PROVINCE_CODE, PROVINCE_NAME, generate_geography
from imbizo.demo.layers import write_layers
from imbizo.geo.models import Municipality, Ward
from imbizo.geo.services import Fields, boundaries_import, province_ensure, ward_suburbs_set
from imbizo.representatives.models import Kind, Representative, TraditionalCouncil
from imbizo.representatives.selectors import representatives_for


@pytest.fixture
def dmo(db, tmp_path, settings, django_capture_on_commit_callbacks):
    """The demo's geography and its councillor's login, as ``demo_seed`` leaves them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    actor, geography = system_actor("cli"), generate_geography()
    province_ensure(actor=actor, code=PROVINCE_CODE, name=PROVINCE_NAME)
    with django_capture_on_commit_callbacks(execute=True):
        for level, path in write_layers(geography, tmp_path).items():
            boundaries_import(actor=actor, level=level, path=path, spec=Fields())
    municipality = Municipality.objects.get(code="DMO")
    ward_suburbs_set(actor=actor, municipality=municipality,
                     suburbs={w.number: w.suburbs for w in geography.wards})
    staff_user_create(actor=actor, username="demo-councillor", password="a-long-test-password")
    return municipality


def test_the_demo_has_fictional_representatives_everywhere_loaded_once(dmo, client):
    demo_representatives.seed(actor=system_actor("cli"), municipality=dmo, seed=2021)
    wards = Ward.objects.filter(municipality=dmo).count()
    sitting = Representative.objects.filter(municipality=dmo, active=True)
    assert sitting.filter(kind=Kind.WARD_COUNCILLOR).count() == wards
    assert sitting.filter(kind=Kind.COMMITTEE_MEMBER).count() == wards * 4
    assert sitting.filter(kind=Kind.PR_COUNCILLOR).count() == 8
    assert not sitting.filter(kind=Kind.WARD_COUNCILLOR, photo="").exists()
    assert set(sitting.values_list("party", flat=True)) - {""} <= set(
        demo_representatives.PARTIES)
    first = representatives_for(ward=1, municipality=dmo)
    assert (first.councillor.name, first.councillor.user.username) == (
        "Noluthando Gqirana", "demo-councillor")
    assert client.get(f"/representatives/photos/{first.councillor.uuid}").status_code == 200
    council = TraditionalCouncil.objects.select_related("authority").get()
    assert council.authority.code == "DMO-TA1" and council.office.startswith("Great Place, ")
    in_authority = representatives_for(ward=generate_geography().authority.ward_numbers[0],
                                       municipality=dmo)
    assert in_authority.leader.title == "Inkosi" and len(in_authority.council_members) == 4

    imports = AuditEntry.objects.filter(action="representatives.import").count()
    demo_representatives.seed(actor=system_actor("cli"), municipality=dmo, seed=2021)
    assert AuditEntry.objects.filter(action="representatives.import").count() == imports == 1
    assert Representative.objects.count() == sitting.count()
