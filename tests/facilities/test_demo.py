"""The demo's facilities: DMO's own through the service, and the real national sets when
the shared data is there; a second demo adds nothing."""

from imbizo.demo.seed import demo_seed
from imbizo.facilities.models import Facility
from imbizo.facilities.selectors import facilities_nearest

from .conftest import SHARED_FACILITIES

NATIONAL = {"chc": 286, "cdc": 72, "hospital": 887, "ems": 657, "police": 1140}


def national_counts() -> dict:
    return {kind: Facility.objects.filter(kind=kind, source__isnull=False).count()
            for kind in NATIONAL}


def test_the_demo_enters_its_own_facilities_and_the_national_sets_once(db):
    demo_seed(residents=0, cases=0)
    own = Facility.objects.filter(municipality__code="DMO", source=None)
    kinds = sorted(own.values_list("kind", flat=True))
    assert kinds == ["library", "municipal_office", "pay_point"] + ["water_point"] * 4
    assert all(f.ward is not None for f in own)
    assert len(facilities_nearest(lat=-31.8, lon=27.6, kind="water_point").facilities) == 3
    loaded = national_counts()
    if SHARED_FACILITIES.is_dir():  # the real sets, as the demo loads them
        assert loaded == NATIONAL
        near = facilities_nearest(lat=-31.8, lon=27.6, kind="police")
        assert near.facilities[0].km < 40 and near.sources[0]["key"] == "saps-stations"
    else:
        assert loaded == dict.fromkeys(NATIONAL, 0)
    demo_seed(residents=0, cases=0)
    assert own.count() == 7 and national_counts() == loaded

