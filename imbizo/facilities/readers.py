"""Reading a facilities file as it is published: CSV (any of , ; or tab, UTF-8 with or
without a byte-order mark, or the encoding named) or a point shapefile (``.shp`` beside
its ``.shx`` and ``.dbf``, or all of them in a ``.zip``). Nothing is checked here but the
file itself; rows are checked by the importer."""

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import shapefile

from imbizo.core.errors import ImbizoError

POINT_TYPES = {shapefile.POINT, shapefile.POINTZ, shapefile.POINTM}


@dataclass(frozen=True)
class RawRow:
    number: int  # as a person counts: a CSV's first data row is row 2 (the header is 1)
    values: dict[str, str]
    point: tuple[float, float] | None = None  # (lon, lat) from a shapefile's geometry
    extra_cells: int = 0  # cells beyond the header's columns (a stray comma)


@dataclass(frozen=True)
class RawFile:
    name: str
    columns: list[str]
    rows: list[RawRow]
    shapefile: bool
    row_word: str  # "row" or "feature", as the reports name them


def _fail(path: Path, message: str) -> ImbizoError:
    return ImbizoError("invalid_facilities_file", f"{path.name}: {message}")


def read_file(path: Path, encoding: str = "utf-8-sig") -> RawFile:
    path = Path(path)
    if not path.is_file():
        raise _fail(path, "does not exist.")
    if path.stat().st_size == 0:
        raise _fail(path, "is empty.")
    suffix = path.suffix.lower()
    if suffix in (".shp", ".zip"):
        return _read_shapefile(path)
    return _read_csv(path, encoding)


def _read_csv(path: Path, encoding: str) -> RawFile:
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise _fail(path, f"is not {encoding} text (byte {exc.start}); save it as UTF-8 or "
                          "name its encoding (--encoding cp1252).") from None
    except LookupError:
        raise _fail(path, f"names an unknown encoding {encoding!r}.") from None
    head = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=head.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        columns = [c.strip() for c in next(reader)]
    except StopIteration:
        raise _fail(path, "has no header row.") from None
    except csv.Error as exc:
        raise _fail(path, f"is not readable CSV: {exc}.") from None
    if len(set(columns)) != len(columns) or not all(columns):
        raise _fail(path, "has blank or repeated column names in its header row.")
    rows, number = [], 1
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            values = dict(zip(columns, (c.strip() for c in cells), strict=False))
            rows.append(RawRow(number, values, extra_cells=max(0, len(cells) - len(columns))))
    except csv.Error as exc:
        raise _fail(path, f"is not readable CSV near row {number}: {exc}.") from None
    return RawFile(path.name, columns, rows, False, "row")


def _shapefile_parts(path: Path) -> tuple[dict, str]:
    """The opened .shp, .shx and .dbf, and the .prj's text ('' if none)."""
    if path.suffix.lower() == ".shp":
        parts = {ext: path.with_suffix(ext) for ext in (".shp", ".shx", ".dbf", ".prj")}
        missing = [ext for ext in (".shx", ".dbf") if not parts[ext].is_file()]
        if missing:
            raise _fail(path, f"has no {', '.join(missing)} beside it; a shapefile needs "
                              ".shp, .shx and .dbf.")
        prj = parts[".prj"].read_text("latin-1") if parts[".prj"].is_file() else ""
        return {ext[1:]: parts[ext].open("rb") for ext in (".shp", ".shx", ".dbf")}, prj
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise _fail(path, "is not a zip archive.") from None
    members = {Path(n).suffix.lower(): n for n in archive.namelist()
               if not n.startswith("__MACOSX")}
    missing = [ext for ext in (".shp", ".shx", ".dbf") if ext not in members]
    if missing:
        raise _fail(path, f"holds no {', '.join(missing)} file; a shapefile needs .shp, "
                          ".shx and .dbf.")
    prj = archive.read(members[".prj"]).decode("latin-1") if ".prj" in members else ""
    return {ext[1:]: io.BytesIO(archive.read(members[ext]))
            for ext in (".shp", ".shx", ".dbf")}, prj


def _read_shapefile(path: Path) -> RawFile:
    files, prj = _shapefile_parts(path)
    if prj.lstrip().upper().startswith("PROJCS"):
        name = prj.split('"')[1] if '"' in prj else "a projected system"
        raise _fail(path, f"is in the projected coordinate system {name}; reproject it to "
                          "WGS84 longitude/latitude (EPSG:4326).")
    try:
        with shapefile.Reader(**files, encoding="utf-8", encodingErrors="replace") as reader:
            if reader.shapeType not in POINT_TYPES:
                raise _fail(path, f"holds {reader.shapeTypeName} shapes; facilities are "
                                  "points.")
            columns = [f[0] for f in reader.fields[1:]]
            rows = [RawRow(number, {k: str(v).strip() if v is not None else ""
                                    for k, v in item.record.as_dict().items()},
                           tuple(item.shape.points[0][:2]) if item.shape.points else None)
                    for number, item in enumerate(reader.iterShapeRecords(), start=1)]
    except shapefile.ShapefileException as exc:
        raise _fail(path, f"is not a readable shapefile: {exc}.") from None
    finally:
        for handle in files.values():
            handle.close()
    return RawFile(path.name, columns, rows, True, "feature")
