"""Importing again updates by (source, kind, reference): the same file changes nothing, a
changed row is updated, a row no longer listed is withdrawn; one audit entry each time."""

from imbizo.audit.models import AuditEntry
from imbizo.facilities.models import Facility, FacilityVersion

ROWS = [["Sizwe Clinic", "20.05", "-29.95"], ["Hilltop Clinic", "20.15", "-29.95"]]


def test_the_same_file_again_changes_nothing(load):
    first = load("clinic", ROWS)
    version = FacilityVersion.objects.get().version
    stamps = dict(Facility.objects.values_list("pk", "updated"))
    again = load("clinic", ROWS)
    assert (first.created, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert dict(Facility.objects.values_list("pk", "updated")) == stamps
    assert FacilityVersion.objects.get().version == version  # nothing to reload
    assert AuditEntry.objects.filter(action="facilities.import").count() == 2


def test_a_changed_row_is_updated_and_a_missing_one_withdrawn(load):
    load("clinic", ROWS)
    report = load("clinic", [["Sizwe Clinic", "20.06", "-29.95"]])
    assert (report.updated, report.withdrawn, report.unchanged) == (1, 1, 0)
    assert Facility.objects.get(name="Sizwe Clinic").longitude == 20.06
    assert not Facility.objects.get(name="Hilltop Clinic").active
    back = load("clinic", ROWS)
    assert back.updated == 2 and Facility.objects.filter(active=True).count() == 2


def test_the_same_reference_under_another_kind_is_another_facility(load):
    load("clinic", ROWS)
    load("hospital", ROWS)
    assert Facility.objects.count() == 4


def test_imported_facilities_are_placed_in_their_ward_and_municipality(load, municipalities):
    load("clinic", ROWS + [["Far Clinic", "25.0", "-29.0"]])
    sizwe = Facility.objects.get(name="Sizwe Clinic")
    assert (sizwe.municipality.code, sizwe.ward.number) == ("AAA", 1)
    assert Facility.objects.get(name="Hilltop Clinic").ward.number == 2
    far = Facility.objects.get(name="Far Clinic")
    assert far.municipality is None and far.ward is None


def test_a_point_just_outside_every_ward_is_snapped_to_the_nearest(load, municipalities):
    # AAA's western edge is lon 20.0: 0.01 degree west is about 1 km; 0.1 about 10 km.
    report = load("clinic", [["Coast Clinic", "19.99", "-29.95"],
                             ["Sea Clinic", "19.9", "-29.95"]])
    coast = Facility.objects.get(name="Coast Clinic")
    assert (coast.municipality.code, coast.ward.number) == ("AAA", 1)
    assert report.snapped == ["Coast Clinic: 1.0 km outside the nearest ward, placed in it"]
    assert Facility.objects.get(name="Sea Clinic").ward is None and report.unplaced == 1
