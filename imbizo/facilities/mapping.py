"""Which column of a file holds what: found by name (case and spaces ignored) for the
known files and the usual names, or given as ``name=FacilityName,lon=longitude,...``.

Columns that name people (a facility's contact person) are never loaded, whatever the
file publishes: answers about facilities are public, and a person's name is theirs
(POPIA). Every other column not mapped is kept in the facility's details as read.
"""

from dataclasses import dataclass

from imbizo.core.errors import ImbizoError

FIELDS = ("name", "lon", "lat", "ref", "address", "phone", "hours")
USUAL: dict[str, tuple[str, ...]] = {
    "name": ("name", "facilityname", "facility name", "facility", "station"),
    "lon": ("longitude", "long", "lon", "lng", "x"),
    "lat": ("latitude", "lat", "y"),
    "ref": ("ref", "id", "code", "facility id", "facility code", "uid"),
    "address": ("address", "physical address", "street address"),
    "phone": ("phone", "telephone", "tel", "phone number", "contact number"),
    "hours": ("hours", "opening hours"),
}
PERSONAL = frozenset({"contactperson", "contact person", "contact name", "manager",
                      "manager name"})


def _folded(column: str) -> str:
    return " ".join(column.replace("_", " ").split()).lower()


@dataclass(frozen=True)
class ColumnMap:
    columns: dict[str, str]  # field -> column, for the fields the file has

    def get(self, field: str) -> str | None:
        return self.columns.get(field)

    def kept(self, all_columns: list[str]) -> list[str]:
        """The columns that go into a facility's details."""
        used = set(self.columns.values())
        return [c for c in all_columns if c not in used and _folded(c) not in PERSONAL]


def columns_parse(text: str) -> dict[str, str]:
    """``name=FacilityName,lon=longitude`` -> {"name": "FacilityName", "lon": "longitude"};
    ``ref=`` (empty) says the file has no reference column."""
    given = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        field, sep, column = part.partition("=")
        field = field.strip().lower()
        if not sep or field not in FIELDS:
            raise ImbizoError("invalid_columns", (
                f"{part!r} is not a column mapping; write field=column with a field among "
                f"{', '.join(FIELDS)}."))
        given[field] = column.strip()
    return given


def columns_map(columns: list[str], given: dict[str, str], *, shapefile: bool) -> ColumnMap:
    """The mapping for a file with ``columns``: ``given`` first, the usual names for the
    rest. A shapefile's geometry gives its coordinates."""
    by_fold = {_folded(c): c for c in columns}
    if shapefile and ({"lon", "lat"} & set(given)):
        raise ImbizoError("invalid_columns",
                          "A shapefile's points give the coordinates: map no lon or lat.")
    chosen = {}
    for field in FIELDS:
        if field in given:
            if given[field] == "":
                continue
            column = by_fold.get(_folded(given[field]))
            if column is None:
                raise ImbizoError("unknown_column", (
                    f"There is no column {given[field]!r} in the file; its columns are: "
                    f"{', '.join(columns)}."))
            chosen[field] = column
        elif not (shapefile and field in ("lon", "lat")):
            column = next((by_fold[n] for n in USUAL[field] if n in by_fold), None)
            if column is not None:
                chosen[field] = column
    needed = ["name"] + ([] if shapefile else ["lon", "lat"])
    missing = [f for f in needed if f not in chosen]
    if missing:
        example = ",".join(f"{f}=..." for f in missing)
        raise ImbizoError("unknown_column", (
            f"No column for {', '.join(missing)} was found; name it with --columns (for "
            f"example {example}). The file's columns are: {', '.join(columns)}."))
    return ColumnMap(chosen)
