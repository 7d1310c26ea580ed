"""Reading the files as published: point shapefiles (beside their .shx and .dbf, or
zipped), CSVs with other separators; what cannot be read is refused naming the file."""

import zipfile

import pytest
import shapefile

from imbizo.core.errors import ImbizoError
from imbizo.facilities.readers import read_file

WGS84 = 'GEOGCS["GCS_WGS84_DD",DATUM["D_WGS84",SPHEROID["WGS84",6378137.0,298.257223563]]]'
LO31 = 'PROJCS["Hartebeesthoek94_Lo31",GEOGCS["GCS_Hartebeesthoek_1994"]]'


def write_points(folder, prj=WGS84, kind=shapefile.POINT):
    base = folder / "stations"
    with shapefile.Writer(str(base), shapeType=kind) as writer:
        writer.field("station", "C", 80)
        if kind == shapefile.POINT:
            writer.point(20.05, -29.95)
            writer.record("Sizwe")
            writer.null()
            writer.record("Nowhere")
        else:
            writer.poly([[[20, -30], [20.1, -30], [20.1, -29.9], [20, -30]]])
            writer.record("Area")
    (folder / "stations.prj").write_text(prj)
    return base.with_suffix(".shp")


def test_a_point_shapefile_is_read_with_its_null_shapes(tmp_path):
    raw = read_file(write_points(tmp_path))
    assert raw.shapefile and raw.columns == ["station"] and raw.row_word == "feature"
    assert [(r.number, r.values, r.point) for r in raw.rows] == [
        (1, {"station": "Sizwe"}, (20.05, -29.95)), (2, {"station": "Nowhere"}, None)]


def test_a_zipped_shapefile_is_read(tmp_path):
    shp = write_points(tmp_path)
    archive = tmp_path / "stations.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for ext in (".shp", ".shx", ".dbf", ".prj"):
            zf.write(shp.with_suffix(ext), f"saps/stations{ext}")
    assert [r.values["station"] for r in read_file(archive).rows] == ["Sizwe", "Nowhere"]


def test_a_projected_shapefile_is_refused(tmp_path):
    with pytest.raises(ImbizoError, match="projected coordinate system Hartebeesthoek94_Lo31"):
        read_file(write_points(tmp_path, prj=LO31))


def test_a_shapefile_of_polygons_is_refused(tmp_path):
    with pytest.raises(ImbizoError, match="holds POLYGON shapes; facilities are points"):
        read_file(write_points(tmp_path, kind=shapefile.POLYGON))


def test_a_shapefile_without_its_dbf_is_refused(tmp_path):
    shp = write_points(tmp_path)
    shp.with_suffix(".dbf").unlink()
    with pytest.raises(ImbizoError, match="has no .dbf beside it"):
        read_file(shp)


def test_a_semicolon_csv_is_read(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("Name;Longitude;Latitude\nSizwe Clinic;20,05;-29,95\n\n")
    raw = read_file(path)
    assert raw.columns == ["Name", "Longitude", "Latitude"]
    assert [(r.number, r.values["Longitude"]) for r in raw.rows] == [(2, "20,05")]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"Name,Name,Lat\n", "blank or repeated column names"),
])
def test_unreadable_csvs_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImbizoError, match=message):
        read_file(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ImbizoError, match="nothing.csv: does not exist"):
        read_file(tmp_path / "nothing.csv")
