import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imbizo.core.errors import ImbizoError
from imbizo.geo.index import ward_index
from imbizo.geo.selectors import locate
from tests.conftest import ZA_2020, feature, import_layer, square


def test_a_point_finds_its_ward_municipality_and_province(two_municipalities):
    place = locate(lat=-29.95, lon=20.25).as_dict()
    assert place == {
        "ward": {"code": "90200001", "number": 1, "name": "Ward 1"},
        "municipality": {"code": "BBB", "name": "Bbb Local"},
        "province": {"code": "XP", "name": "Example Province"},
        "traditional_authority": None,
    }


def test_a_traditional_authority_is_found_where_it_lies(two_municipalities, tmp_path,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_layer(tmp_path, "traditional-authority", [
            feature(square(20.3, -30.0), Code="TA1", Name="AmaExample", Parent_cod="XP")])
    assert locate(lat=-29.95, lon=20.35).traditional_authority == {"code": "TA1",
                                                                  "name": "AmaExample"}
    assert locate(lat=-29.95, lon=20.25).traditional_authority is None


def test_a_point_on_a_shared_edge_gets_one_answer_every_time(two_municipalities):
    answers = {locate(lat=-29.95, lon=20.1).ward["code"] for _ in range(5)}
    assert answers == {"90100001"}


def test_a_point_in_the_sea_is_not_found(two_municipalities):
    with pytest.raises(ImbizoError) as err:
        locate(lat=-34.5, lon=17.0)
    assert err.value.status == 404 and err.value.code == "outside_every_ward"


@pytest.mark.parametrize("lat, lon", [(-91, 20), (95, 20), (-30, 181), (-30, -200)])
def test_impossible_coordinates_are_refused(db, lat, lon):
    with pytest.raises(ImbizoError) as err:
        locate(lat=lat, lon=lon)
    assert err.value.status == 400


def test_the_index_reloads_when_boundaries_change(two_municipalities, tmp_path,
                                                   django_capture_on_commit_callbacks):
    assert locate(lat=-29.95, lon=20.05).ward["code"] == "90100001"
    with django_capture_on_commit_callbacks(execute=True):
        import_layer(tmp_path, "ward", [
            feature(square(20.0, -30.0, 0.05), Code="90100001", Parent_cod="AAA")])
    with pytest.raises(ImbizoError):
        locate(lat=-29.93, lon=20.08)


def test_other_processes_see_a_new_version_after_the_check_interval(
        two_municipalities, tmp_path, settings):
    assert ward_index.size == 4
    # Another process imported: no event here, only the bumped version in the database.
    import_layer(tmp_path, "ward", [feature(square(20.0, -29.9), Code="90100003",
                                            Parent_cod="AAA")])
    assert ward_index.size == 4  # within the check interval, the old index still answers
    settings.WARD_INDEX_CHECK_SECONDS = 0
    assert ward_index.size == 5


def test_look_ups_do_not_query_the_database(two_municipalities):
    locate(lat=-29.95, lon=20.25)
    with CaptureQueriesContext(connection) as queries:
        for lon in (20.05, 20.15, 20.25, 20.35):
            locate(lat=-29.95, lon=lon)
    assert len(queries) == 0


def test_many_points_at_once(two_municipalities):
    found = ward_index.locate_many([-29.95, -29.95, -10.0], [20.05, 20.35, 20.0])
    assert [w and w["code"] for w in found] == ["90100001", "90200002", None]


def test_locate_command_prints_json(two_municipalities, capsys):
    call_command("locate", "-29.95", "20.15")
    out = json.loads(capsys.readouterr().out)
    assert out["ward"]["code"] == "90100002" and out["municipality"]["code"] == "AAA"


def test_locate_command_explains_a_miss(two_municipalities):
    with pytest.raises(CommandError, match="not inside any ward"):
        call_command("locate", "-34.5", "17.0")


national = pytest.mark.skipif(not ZA_2020.exists(), reason="shared/data boundaries not present")


@national
def test_national_ward_set_answers_known_places(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for level, name in [("province", "Provinces_2020"), ("district", "Districts_2020"),
                            ("municipality", "Muni_2020"), ("ward", "Wards_2020")]:
            call_command("import_boundaries", str(ZA_2020 / f"{name}.geojson"),
                         level=level, verbosity=0)
    assert ward_index.size == 4468
    cape_town_cbd = locate(lat=-33.9249, lon=18.4241)
    assert cape_town_cbd.ward["code"] == "19100115"
    assert cape_town_cbd.municipality["code"] == "CPT"
    assert cape_town_cbd.province["code"] == "WC"
    assert locate(lat=-26.2041, lon=28.0473).municipality["code"] == "JHB"
    assert locate(lat=-25.7479, lon=28.2293).municipality["code"] == "TSH"
    assert locate(lat=-29.8587, lon=31.0218).municipality["code"] == "ETH"
    stellenbosch = locate(lat=-33.9321, lon=18.8602)
    assert stellenbosch.municipality["code"] == "WC024"
    assert stellenbosch.province["code"] == "WC"
    with pytest.raises(ImbizoError):
        locate(lat=-35.5, lon=20.0)  # the Agulhas bank, at sea


@national
def test_shapefile_and_city_file_update_the_same_national_wards(db):
    for level, name in [("province", "Provinces_2020"), ("district", "Districts_2020")]:
        call_command("import_boundaries", str(ZA_2020 / f"{name}.geojson"), level=level,
                     verbosity=0)
    call_command("import_boundaries", str(ZA_2020 / "Muni_2020.shp.zip"), level="municipality",
                 verbosity=0)
    call_command("import_boundaries", str(ZA_2020 / "Wards_2020.shp.zip"), level="ward",
                 verbosity=0)
    from imbizo.geo.models import Ward
    assert Ward.objects.count() == 4468
    city_file = ZA_2020.parent / "cape-town-2021" / "wards-2021.geojson"
    call_command("import_boundaries", str(city_file), level="ward", code_property="",
                 number_property="WARD_NAME", parent="CPT", verbosity=0)
    assert Ward.objects.count() == 4468
    assert locate(lat=-33.9249, lon=18.4241).ward["code"] == "19100115"


def test_with_no_boundaries_loaded_every_point_is_outside(db):
    with pytest.raises(ImbizoError) as err:
        locate(lat=-29.95, lon=20.05)
    assert err.value.status == 404


@pytest.mark.django_db(transaction=True)
def test_a_web_worker_builds_the_index_before_its_first_look_up(two_municipalities):
    ward_index.invalidate()
    assert not ward_index.ready
    ward_index.warm_in_background().join(timeout=30)
    assert ward_index.ready
    with CaptureQueriesContext(connection) as queries:
        assert ward_index.locate(-29.95, 20.05).ward["code"] == "90100001"
    assert len(queries) == 0

