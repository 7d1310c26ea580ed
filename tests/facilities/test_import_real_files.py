"""The published national sets load as they are: odd column names, province prefixes,
mangled characters, rows without coordinates, a longitude that is no number and a
hospital listed twice, each handled and reported (docs/facilities.md)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.facilities.importer import facilities_import
from imbizo.facilities.models import Facility, FacilitySource

from .conftest import SHARED_FACILITIES, real_files

pytestmark = [real_files, pytest.mark.django_db]
HEALTH = SHARED_FACILITIES / "health-dsfsi"


def load(kind: str, name: str, **options):
    return facilities_import(actor=system_actor("cli"), kind=kind,
                             path=SHARED_FACILITIES / name, **options)


def test_community_health_centres_load_without_their_province_prefix():
    report = load("chc", "health-dsfsi/CommunityHealthCenters.csv")
    assert (report.source, report.loaded, report.created) == ("dsfsi-health", 286, 286)
    assert report.skipped == ["row 112: Donald CHC has no coordinates; not loaded"]
    maluti = Facility.objects.get(kind="chc", source_ref="ec Maluti CHC")
    assert maluti.name == "Maluti CHC" and maluti.address == "Maluti Township"
    assert (maluti.longitude, maluti.latitude) == (28.78891, -30.2658)
    assert maluti.details["District"] == "ec Alfred Nzo District Municipality"
    assert FacilitySource.objects.get(key="dsfsi-health").licence == "CC BY-SA 4.0"


def test_mangled_characters_are_kept_as_read_and_reported():
    report = load("chc", "health-dsfsi/CommunityHealthCenters.csv")
    assert len(report.warnings) == 2
    assert all("LocalMunicipality" in w and "U+FFFD" in w for w in report.warnings)
    mangled = [f for f in Facility.objects.all()
               if "\ufffd" in f.details.get("LocalMunicipality", "")]
    assert len(mangled) == 2
    assert any("Naud\ufffd" in f.details["LocalMunicipality"] for f in mangled)


def test_contact_persons_are_not_loaded():
    load("ems", "health-dsfsi/EMS_Stations.csv")
    assert not any("ContactPerson" in f.details or "contactPerson" in f.details
                   for f in Facility.objects.all())


def test_community_day_centres_read_their_own_column_names():
    report = load("cdc", "health-dsfsi/CommunityDayCentre.csv")
    assert (report.loaded, len(report.skipped)) == (72, 2)
    assert Facility.objects.filter(name="Daveyton Main CDC", kind="cdc").exists()
    assert "LocalMunicapalityName" in Facility.objects.get(name="Daveyton Main CDC").details


def test_ems_stations_report_the_rows_without_coordinates():
    report = load("ems", "health-dsfsi/EMS_Stations.csv")
    assert (report.loaded, len(report.skipped), len(report.warnings)) == (657, 21, 8)
    assert "row 220: Diepsloot EMS Station has no coordinates; not loaded" in report.skipped


def test_the_hospital_file_is_refused_for_its_broken_longitude_naming_the_row():
    with pytest.raises(ImbizoError) as refused:
        load("hospital", "health-dsfsi/health_system_za_hospitals_v1.csv")
    assert refused.value.extra["problems"] == ["row 726: its longitude '29.2805.5' is not a "
                                               "number"]
    assert "--skip-invalid" in refused.value.message
    assert not Facility.objects.exists()


def test_hospitals_load_leaving_out_the_broken_row_and_the_second_listings():
    report = load("hospital", "health-dsfsi/health_system_za_hospitals_v1.csv",
                  skip_invalid=True)
    assert report.loaded == 887
    assert report.skipped[0] == "row 726: its longitude '29.2805.5' is not a number (left out)"
    again = [s for s in report.skipped if "listed again" in s]
    assert len(again) == 4 and any("row 102: Netcare Pretoria East Hospital" in s
                                   for s in again)
    fort = Facility.objects.get(name="Fort Beaufort Hospital")
    assert fort.details["Category"] == "District Hospital" and fort.details["Beds Usable"] == "70"
    assert sum(f.details.get("Province") == "KwaZuluNatal"
               for f in Facility.objects.all()) > 100


def test_police_stations_load_from_the_shapefile():
    report = load("police", "police-saps/stations.shp")
    assert (report.source, report.loaded, report.skipped) == ("saps-stations", 1140, [])
    assert Facility.objects.get(source_ref="Stutterheim").latitude == pytest.approx(-32.57118)
    assert FacilitySource.objects.get(key="saps-stations").licence == "CC BY 4.0"


def test_the_command_loads_a_real_file_and_reports_it(capsys):
    call_command("import_facilities", str(HEALTH / "CommunityDayCentre.csv"), kind="cdc")
    out = capsys.readouterr().out
    assert "72 loaded (72 new" in out and "row 26: Bothasig CDC has no coordinates" in out
    with pytest.raises(CommandError, match="row 726"):
        call_command("import_facilities", str(HEALTH / "health_system_za_hospitals_v1.csv"),
                     kind="hospital")
