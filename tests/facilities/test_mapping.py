"""Which column holds what: found by the usual names, or given with --columns; a mapping
to a column the file lacks is refused naming the file's columns."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from imbizo.core.errors import ImbizoError
from imbizo.facilities.mapping import columns_map, columns_parse
from imbizo.facilities.models import Facility, FacilitySource

from .conftest import write_csv

ODD = ("Clinic Title", "X Coord", "Y Coord", "Code", "Tel", "Street Address")
ROW = ["Sizwe Clinic", "20.05", "-29.95", "C-17", "040 555 0100", "1 Main Road"]


def test_the_usual_names_are_found_whatever_their_case():
    found = columns_map(["FacilityName", "longitude", "LAT", "Address", "Phone_Number"], {},
                        shapefile=False)
    assert found.columns == {"name": "FacilityName", "lon": "longitude", "lat": "LAT",
                             "address": "Address", "phone": "Phone_Number"}


def test_columns_are_mapped_with_the_columns_option(load):
    load("clinic", [ROW], header=ODD,
         columns="name=Clinic Title,lon=X Coord,lat=Y Coord,ref=Code,phone=Tel,"
                 "address=Street Address")
    clinic = Facility.objects.get()
    assert (clinic.name, clinic.source_ref, clinic.phone, clinic.address) == (
        "Sizwe Clinic", "C-17", "040 555 0100", "1 Main Road")
    assert clinic.details == {}


def test_a_mapping_to_a_missing_column_names_the_files_columns(load):
    with pytest.raises(ImbizoError) as refused:
        load("clinic", [ROW], header=ODD, columns="name=Naam,lon=X Coord,lat=Y Coord")
    assert refused.value.code == "unknown_column"
    assert "'Naam'" in refused.value.message and "Clinic Title, X Coord" in refused.value.message


def test_a_file_whose_columns_are_not_found_asks_for_a_mapping(load):
    with pytest.raises(ImbizoError, match="No column for name, lon, lat was found"):
        load("clinic", [ROW], header=ODD)


def test_a_mapping_must_name_a_known_field():
    with pytest.raises(ImbizoError, match="'colour=Red' is not a column mapping"):
        columns_parse("name=Title,colour=Red")


def test_an_empty_ref_mapping_keys_rows_by_name(load):
    load("clinic", [["Sizwe Clinic", "20.05", "-29.95", "9"]],
         header=("Name", "Longitude", "Latitude", "Id"), columns="ref=")
    clinic = Facility.objects.get()
    assert clinic.source_ref == "Sizwe Clinic" and clinic.details == {"Id": "9"}


def test_the_command_takes_the_mapping_and_a_new_sources_terms(db, tmp_path, capsys):
    path = write_csv(tmp_path / "points.csv", [ROW], header=ODD)
    call_command("import_facilities", str(path), kind="water_point",
                 columns="name=Clinic Title,lon=X Coord,lat=Y Coord,ref=Code",
                 source="town-water", source_name="Town water points", licence="CC0 1.0",
                 attribution="Water points published by the town.")
    assert "1 loaded (1 new" in capsys.readouterr().out
    source = FacilitySource.objects.get(key="town-water")
    assert (source.licence, source.credit) == ("CC0 1.0", "CC0 1.0")
    call_command("import_facilities", str(path), kind="water_point", source="town-water",
                 columns="name=Clinic Title,lon=X Coord,lat=Y Coord,ref=Code")
    assert "1 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize(("options", "message"), [
    ({"kind": "spaceport"}, "Unknown kind 'spaceport'; the kinds are: clinic"),
    ({"kind": "clinic"}, "is not one of the data sets Imbizo knows"),
    ({"kind": "clinic", "source": "town-water"}, "No source 'town-water' yet"),
    ({"kind": "clinic", "source": "town-water", "licence": "CC0"},
     "A source needs --source-name, --attribution too"),
    ({"kind": "clinic", "licence": "CC0"}, "go with --source KEY"),
])
def test_the_command_refuses_clearly(db, tmp_path, options, message):
    path = write_csv(tmp_path / "points.csv", [["Sizwe Clinic", "20.05", "-29.95"]])
    with pytest.raises(CommandError, match=message):
        call_command("import_facilities", str(path), **options)


def test_a_shapefile_maps_no_coordinates():
    with pytest.raises(ImbizoError, match="map no lon or lat"):
        columns_map(["station"], {"lon": "x"}, shapefile=True)
