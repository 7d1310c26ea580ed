import io
import zipfile

import pytest
import shapefile

from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError
from imbizo.geo.models import BoundaryVersion, Municipality, Province, Ward
from tests.conftest import feature, import_layer, square


def test_metro_and_local_municipalities_get_category_province_and_district(two_municipalities,
                                                                             tmp_path):
    aaa, _ = two_municipalities
    assert aaa.category == "B"
    assert aaa.district.code == "DC90"
    assert aaa.province.code == "XP"
    import_layer(tmp_path, "municipality", [
        feature(square(20.0, -30.0, 0.05), Code="MET", Name="Metro", Parent_cod="MET")])
    metro = Municipality.objects.get(code="MET")
    assert (metro.category, metro.province.code, metro.district) == ("A", "XP", None)


def test_wards_take_their_number_from_the_last_three_digits(two_municipalities):
    ward = Ward.objects.get(code="90200002")
    assert (ward.municipality.code, ward.number, ward.name) == ("BBB", 2, "Ward 2")


def test_reimport_updates_and_never_duplicates(two_municipalities, tmp_path):
    version = BoundaryVersion.objects.get().version
    result = import_layer(tmp_path, "ward", [
        feature(square(20.0, -30.0), Code="90100001", Name="Harbour", Parent_cod="AAA")])
    assert (result.created, result.updated) == (0, 1)
    assert Ward.objects.count() == 4
    assert Ward.objects.get(code="90100001").name == "Harbour"
    assert BoundaryVersion.objects.get().version == version + 1


def test_import_is_audited(two_municipalities):
    entry = AuditEntry.objects.filter(action="boundaries.import").last()
    assert entry.object_id == "ward"
    assert entry.changes["created"] == 4


def test_a_self_intersecting_ring_is_repaired(db, tmp_path):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    result = import_layer(tmp_path, "province", [feature(bowtie, Code="BT", Name="Bowtie")])
    assert result.repaired == ["BT"]
    geometry = Province.objects.get(code="BT").geometry
    assert geometry.is_valid and geometry.geom_type == "MultiPolygon"
    assert geometry.area == pytest.approx(0.5)


def test_multipolygons_are_accepted(db, tmp_path):
    two = {"type": "MultiPolygon", "coordinates": [square(0, 0)["coordinates"],
                                                   square(1, 1)["coordinates"]]}
    import_layer(tmp_path, "province", [feature(two, Code="MP2", Name="Two parts")])
    assert Province.objects.get(code="MP2").geometry.geom_type == "MultiPolygon"


def _import_fails(tmp_path, level, features, *fragments, filename=None, raw=None):
    path = tmp_path / (filename or f"{level}.geojson")
    if raw is not None:
        path.write_bytes(raw)
        from imbizo.core.permissions import system_actor
        from imbizo.geo.services import boundaries_import
        with pytest.raises(ImbizoError) as err:
            boundaries_import(actor=system_actor("cli"), level=level, path=path)
    else:
        with pytest.raises(ImbizoError) as err:
            import_layer(tmp_path, level, features)
    for fragment in fragments:
        assert fragment in err.value.message
    return err.value


def test_a_point_feature_is_rejected_by_name_and_nothing_is_written(db, tmp_path):
    _import_fails(tmp_path, "province", [
        feature(square(0, 0), Code="OK", Name="Fine"),
        feature({"type": "Point", "coordinates": [1, 1]}, Code="PT", Name="Dot"),
    ], "feature 2 (code PT)", "is a Point", "nothing was imported")
    assert not Province.objects.exists()


def test_projected_coordinates_are_detected(db, tmp_path):
    metres = square(2_000_000, -3_900_000, 5000)
    _import_fails(tmp_path, "province", [feature(metres, Code="PR", Name="Projected")],
                  "not WGS84 longitude/latitude", "EPSG:4326")


def test_a_projected_crs_member_is_refused(db, tmp_path):
    path = tmp_path / "p.geojson"
    path.write_text('{"type": "FeatureCollection", "crs": {"type": "name", "properties": '
                    '{"name": "urn:ogc:def:crs:EPSG::3857"}}, "features": []}')
    from imbizo.core.permissions import system_actor
    from imbizo.geo.services import boundaries_import
    with pytest.raises(ImbizoError, match="EPSG::3857"):
        boundaries_import(actor=system_actor("cli"), level="province", path=path)


@pytest.mark.parametrize("raw, fragment", [
    (b"", "is empty"),
    (b'{"type": "FeatureCollection", "features": [', "is not valid JSON (line 1"),
    (b'{"type": "Topology"}', "not a GeoJSON FeatureCollection"),
    (b'{"type": "FeatureCollection", "features": []}', "holds no features"),
    (b'{"type": "\xc3\x28"}', "not UTF-8"),
])
def test_bad_files_get_a_clear_error(db, tmp_path, raw, fragment):
    _import_fails(tmp_path, "province", None, fragment, raw=raw)


def test_missing_code_geometry_and_parent_are_all_listed(two_municipalities, tmp_path):
    error = _import_fails(tmp_path, "ward", [
        feature(square(20, -30), Parent_cod="AAA"),
        feature(None, Code="90100003", Parent_cod="AAA"),
        feature(square(20, -30), Code="99900001", Parent_cod="ZZZ"),
        feature(square(20, -30), Code="90100001", Parent_cod="AAA"),
        feature(square(20, -30), Code="90100001", Parent_cod="AAA"),
    ], "4 problem(s)", "has no 'Code' property", "feature 2 (code 90100003) has no geometry",
        "municipality 'ZZZ' is not loaded", "repeats the code 90100001")
    assert len(error.extra["problems"]) == 4
    assert Ward.objects.count() == 4


def test_local_municipality_needs_its_district_first(db, tmp_path):
    import_layer(tmp_path, "province", [feature(square(0, 0, 1), Code="XP", Name="X")])
    _import_fails(tmp_path, "municipality", [
        feature(square(0, 0), Code="LOC", Name="Local", Parent_cod="DC77")],
        "district 'DC77' is not loaded; import districts first")


def test_unknown_level_is_refused(db, tmp_path):
    with pytest.raises(ImbizoError, match="Unknown level"):
        import_layer(tmp_path, "suburb", [feature(square(0, 0), Code="S")])


def _zipped_shapefile(tmp_path, prj: str | None) -> str:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON) as w:
        w.field("Code", "C")
        w.field("Name", "C")
        w.poly([[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]])
        w.record("SH", "Shapeland")
    path = tmp_path / "layer.shp.zip"
    with zipfile.ZipFile(path, "w") as z:
        for ext, buf in ((".shp", shp), (".shx", shx), (".dbf", dbf)):
            z.writestr(f"layer{ext}", buf.getvalue())
        if prj:
            z.writestr("layer.prj", prj)
    return path


def test_zipped_shapefile_imports(db, tmp_path):
    from imbizo.core.permissions import system_actor
    from imbizo.geo.services import boundaries_import
    path = _zipped_shapefile(tmp_path, 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984"]]')
    result = boundaries_import(actor=system_actor("cli"), level="province", path=path)
    assert result.created == 1
    assert Province.objects.get(code="SH").geometry.area == pytest.approx(1.0)


def test_projected_shapefile_is_refused(db, tmp_path):
    path = _zipped_shapefile(tmp_path, 'PROJCS["WGS_1984_Web_Mercator",GEOGCS["GCS_WGS_1984"]]')
    _import_fails(tmp_path, "province", None, "projected coordinate system WGS_1984_Web_Mercator",
                  raw=path.read_bytes(), filename="again.zip")
    assert not Province.objects.exists()
