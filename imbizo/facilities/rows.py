"""Checking each row of a facilities file before anything is written: what it says, or
why it cannot be loaded.

Three outcomes for a row:
- **loaded**: a name and coordinates in South Africa;
- **skipped, and reported**: no coordinates at all (the source itself could not place the
  facility: nothing in the file can fix it, and refusing the file for it would keep every
  real national set out), or the same facility listed twice (same reference, within
  ``SAME_PLACE_KM`` of the first listing, which is kept);
- **bad**: anything else wrong (no name, a coordinate that is no number, out of range or
  outside South Africa, the same reference at two different places, a value too long,
  stray cells). A bad row refuses the whole file, each bad row named with its reason,
  unless the operator chooses to leave bad rows out (``--skip-invalid``); they are then
  reported like skipped rows.
"""

import re
from dataclasses import dataclass, field

from .mapping import ColumnMap
from .readers import RawFile, RawRow
from .sphere import haversine_km, in_south_africa

SAME_PLACE_KM = 1.0
# dsfsi's names and districts start with the province in lower case: "ec Maluti CHC".
PROVINCE_PREFIX = re.compile(r"^(ec|fs|gp|kz|lp|mp|nc|nw|wc)\s+(?=\S)")
MANGLED = "\ufffd"  # what a decoder wrote for a character it could not read, upstream
LIMITS = {"name": 200, "ref": 200, "address": 300, "phone": 40, "hours": 200}


@dataclass
class Candidate:
    number: int
    ref: str
    name: str
    latitude: float
    longitude: float
    address: str = ""
    phone: str = ""
    hours: str = ""
    details: dict = field(default_factory=dict)


@dataclass
class Checked:
    candidates: list[Candidate] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)  # "row 12: no name"
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class RowProblem(ValueError):
    pass


def display_name(raw: str) -> str:
    return " ".join(PROVINCE_PREFIX.sub("", raw.strip()).split())


def _number(text: str, what: str) -> float:
    cleaned = text.strip()
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma
    try:
        value = float(cleaned)
    except ValueError:
        raise RowProblem(f"its {what} {text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise RowProblem(f"its {what} {text!r} is not a number")
    return value


def _coordinates(row: RawRow, columns: ColumnMap) -> tuple[float, float] | None:
    """(lon, lat); None when the row has no coordinates at all."""
    if row.point is not None:
        lon, lat = row.point
    else:
        lon_text = row.values.get(columns.get("lon") or "", "")
        lat_text = row.values.get(columns.get("lat") or "", "")
        if not lon_text and not lat_text:
            return None
        if not lon_text or not lat_text:
            raise RowProblem("it has only one of longitude and latitude")
        lon, lat = _number(lon_text, "longitude"), _number(lat_text, "latitude")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise RowProblem(f"({lon}, {lat}) is not a longitude and latitude")
    if not in_south_africa(lat, lon):
        swapped = " (are longitude and latitude swapped?)" if in_south_africa(lon, lat) else ""
        raise RowProblem(f"({lon}, {lat}) is outside South Africa{swapped}")
    return lon, lat


def _candidate(row: RawRow, columns: ColumnMap, kept: list[str]) -> Candidate | None:
    if row.extra_cells:
        raise RowProblem(f"it has {row.extra_cells} more cell(s) than the header has columns")
    raw_name = row.values.get(columns.get("name"), "")
    name = display_name(raw_name)
    if not name:
        raise RowProblem("it has no name")
    ref_column = columns.get("ref")
    ref = " ".join(row.values.get(ref_column, "").split()) if ref_column else raw_name.strip()
    if not ref:
        raise RowProblem(f"it has no {ref_column}")
    point = _coordinates(row, columns)
    if point is None:
        return None
    found = Candidate(row.number, ref, name, point[1], point[0],
                      **{f: row.values.get(columns.get(f) or "", "")
                         for f in ("address", "phone", "hours")},
                      details={c: row.values[c] for c in kept if row.values.get(c)})
    for what, limit in LIMITS.items():
        value = found.ref if what == "ref" else getattr(found, what)
        if len(value) > limit:
            raise RowProblem(f"its {what} is longer than {limit} characters")
    return found


def rows_check(raw: RawFile, columns: ColumnMap) -> Checked:
    checked, first = Checked(), {}
    kept = columns.kept(raw.columns)
    for row in raw.rows:
        where = f"{raw.row_word} {row.number}"
        try:
            found = _candidate(row, columns, kept)
        except RowProblem as problem:
            checked.bad.append(f"{where}: {problem}")
            continue
        label = found.name if found else display_name(row.values.get(columns.get("name"), ""))
        if found is None:
            checked.skipped.append(f"{where}: {label} has no coordinates; not loaded")
            continue
        earlier = first.get(found.ref)
        if earlier is not None:
            km = haversine_km(earlier.latitude, earlier.longitude, found.latitude, found.longitude)
            if km > SAME_PLACE_KM:
                checked.bad.append(f"{where}: {found.ref} is also {raw.row_word} "
                                   f"{earlier.number}, {km:.1f} km away; give each its own "
                                   "reference (--columns ref=...)")
            else:
                checked.skipped.append(f"{where}: {found.ref} is listed again ({raw.row_word} "
                                       f"{earlier.number}, {km * 1000:.0f} m away); the first "
                                       "is loaded")
            continue
        first[found.ref] = found
        checked.candidates.append(found)
        mangled = [c for c, v in row.values.items() if MANGLED in v]
        if mangled:
            checked.warnings.append(f"{where}: {', '.join(mangled)} hold(s) characters mangled "
                                    "upstream (U+FFFD); kept as read")
    return checked
