"""A file with bad rows loads nothing and names every bad row with its reason; rows the
source could not place are skipped and reported; the operator may leave bad rows out."""

import pytest

from imbizo.core.errors import ImbizoError
from imbizo.facilities.models import Facility

GOOD = ["Sizwe Clinic", "20.05", "-29.95"]


def refusal(load, rows, **options) -> ImbizoError:
    with pytest.raises(ImbizoError) as refused:
        load("clinic", rows, **options)
    return refused.value


def test_a_file_with_bad_rows_loads_nothing_and_names_each(load):
    problem = refusal(load, [
        GOOD,
        ["", "20.1", "-29.9"],
        ["Far Clinic", "0", "0"],
        ["Swapped Clinic", "-29.95", "20.05"],
        ["Typo Clinic", "29.2805.5", "-25.46"],
        ["Half Clinic", "20.05", ""],
        ["Stray Clinic", "20.05", "-29.95", "extra"],
    ])
    assert problem.code == "invalid_rows"
    assert problem.extra["problems"] == [
        "row 3: it has no name",
        "row 4: (0.0, 0.0) is outside South Africa",
        "row 5: (-29.95, 20.05) is outside South Africa (are longitude and latitude swapped?)",
        "row 6: its longitude '29.2805.5' is not a number",
        "row 7: it has only one of longitude and latitude",
        "row 8: it has 1 more cell(s) than the header has columns",
    ]
    assert "row 6: its longitude '29.2805.5' is not a number" in problem.message
    assert not Facility.objects.exists()


def test_out_of_range_coordinates_are_bad(load):
    problem = refusal(load, [["Moon Clinic", "200", "-95"]])
    assert problem.extra["problems"] == ["row 2: (200.0, -95.0) is not a longitude and latitude"]


def test_a_value_longer_than_its_column_is_bad(load):
    problem = refusal(load, [["Long Clinic", "20.05", "-29.95", "x" * 41]],
                      header=("Name", "Longitude", "Latitude", "Phone"))
    assert problem.extra["problems"] == ["row 2: its phone is longer than 40 characters"]


def test_rows_without_coordinates_are_skipped_and_reported(load):
    report = load("clinic", [GOOD, ["Lost Clinic", "", ""]])
    assert report.loaded == 1
    assert report.skipped == ["row 3: Lost Clinic has no coordinates; not loaded"]


def test_the_same_facility_listed_twice_is_loaded_once(load):
    report = load("clinic", [GOOD, ["Sizwe Clinic", "20.0501", "-29.9501"]])
    assert report.loaded == 1 and Facility.objects.count() == 1
    assert report.skipped == ["row 3: Sizwe Clinic is listed again (row 2, 15 m away); the "
                              "first is loaded"]


def test_one_name_at_two_places_needs_a_reference_column(load):
    problem = refusal(load, [GOOD, ["Sizwe Clinic", "20.35", "-29.95"]])
    assert problem.extra["problems"] == [
        "row 3: Sizwe Clinic is also row 2, 28.9 km away; give each its own reference "
        "(--columns ref=...)"]


def test_skip_invalid_loads_the_good_rows_and_reports_the_rest(load):
    report = load("clinic", [GOOD, ["", "20.1", "-29.9"]], skip_invalid=True)
    assert report.loaded == 1
    assert report.skipped == ["row 3: it has no name (left out)"]


def test_a_file_with_no_loadable_row_is_refused(load):
    problem = refusal(load, [["Lost Clinic", "", ""]])
    assert problem.code == "nothing_to_import"


def test_a_file_that_is_not_utf8_is_refused_with_a_hint(load, tmp_path):
    from imbizo.core.permissions import system_actor
    from imbizo.facilities.importer import facilities_import

    from .conftest import TEST_SOURCE

    path = tmp_path / "latin.csv"
    path.write_bytes("Name,Longitude,Latitude\nNaudé Clinic,20.05,-29.95\n".encode("cp1252"))
    with pytest.raises(ImbizoError, match="--encoding cp1252"):
        facilities_import(actor=system_actor("cli"), kind="clinic", path=path,
                          source=TEST_SOURCE)
    report = facilities_import(actor=system_actor("cli"), kind="clinic", path=path,
                               source=TEST_SOURCE, encoding="cp1252")
    assert report.loaded == 1 and Facility.objects.get().name == "Naudé Clinic"


def test_an_unknown_kind_is_refused_listing_the_kinds(load):
    with pytest.raises(ImbizoError) as refused:
        load("spaceport", [GOOD])
    assert refused.value.code == "unknown_kind" and "police" in refused.value.message
    assert "clinic" in refused.value.extra["kinds"]


def test_only_platform_administrators_import(load, make_staff, municipalities, tmp_path):
    from imbizo.accounts.models import Role
    from imbizo.core.errors import PermissionDenied
    from imbizo.facilities.importer import facilities_import

    from .conftest import TEST_SOURCE, write_csv

    admin = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": municipalities[0]})
    with pytest.raises(PermissionDenied):
        facilities_import(actor=admin, kind="clinic", path=write_csv(tmp_path / "a.csv", [GOOD]),
                          source=TEST_SOURCE)


def test_a_semicolon_csv_with_decimal_commas_loads(db, tmp_path):
    from imbizo.core.permissions import system_actor
    from imbizo.facilities.importer import facilities_import

    from .conftest import TEST_SOURCE

    path = tmp_path / "excel.csv"
    path.write_text("Name;Longitude;Latitude\r\nSizwe Clinic;20,05;-29,95\r\n")
    report = facilities_import(actor=system_actor("cli"), kind="clinic", path=path,
                               source=TEST_SOURCE)
    assert report.loaded == 1 and Facility.objects.get().longitude == 20.05
