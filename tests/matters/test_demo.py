"""The demo's matters: raised through the services in every state, quickly, and only once."""

from imbizo.accounts.services import citizen_register
from imbizo.audit.models import AuditEntry
from imbizo.core.permissions import system_actor
from imbizo.demo.matters import MATTERS, seed
from imbizo.matters.models import Matter, Support


def test_the_demo_seeds_matters_in_every_state_once(wards, staff):
    for n in range(8):
        for number in ("1", "2"):
            citizen_register(actor=system_actor("cli"), phone=f"08212{number}{n:04d}",
                             municipality=wards[number].municipality, ward=wards[number])
    municipality = wards["1"].municipality
    seed(actor=system_actor("cli"), municipality=municipality, seed=2021)
    matters = Matter.objects.filter(municipality=municipality)
    assert matters.count() == len(MATTERS)
    assert set(matters.values_list("status", flat=True)) == {
        "received", "acknowledged", "answered", "referred", "closed"}
    referred = matters.get(status="referred")
    assert referred.case is not None and referred.case.reporter == referred.citizen
    supported = matters.filter(kind="suggestion", public=True, support_count__gt=0)
    assert supported.count() == 3
    assert sum(m.support_count for m in supported) == Support.objects.count() == 7
    assert "Sizwe" in matters.filter(ward=wards["1"]).first().text  # the ward's suburb
    entries = AuditEntry.objects.count()
    seed(actor=system_actor("cli"), municipality=municipality, seed=2021)
    assert matters.count() == len(MATTERS) and AuditEntry.objects.count() == entries
