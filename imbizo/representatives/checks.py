"""Checking every row of a representatives file before anything is written: each problem
is named by its line, its column and the reason, so a whole file's mistakes are fixed in
one go (docs/representatives.md)."""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from imbizo.accounts.phone import normalise_phone
from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Municipality, TraditionalAuthority, Ward

from .models import TRADITIONAL_KINDS, WARD_KINDS, Kind, Representative
from .portraits import Portrait, portrait_prepare
from .sources import Row

COUNCIL = "traditional_council"  # a row about the council itself: its name and contact
KINDS = (*Kind.values, COUNCIL)
# Columns each kind leaves empty: a value there is a mistake, not something to drop.
UNUSED = {
    Kind.WARD_COUNCILLOR: ("authority",),
    Kind.COMMITTEE_MEMBER: ("authority",),
    Kind.PR_COUNCILLOR: ("ward", "authority"),
    Kind.TRADITIONAL_LEADER: ("ward",),
    Kind.TRADITIONAL_MEMBER: ("ward",),
    COUNCIL: ("ward", "id", "title", "position", "party", "photo", "term_start", "term_end",
              "login"),
}
TEXT_FIELDS = ("title", "name", "position", "party", "office", "hours")
# The model field behind each column whose length the model limits.
LIMITED = {"id": "key", **{c: c for c in TEXT_FIELDS}}
SHARED_GROUND = 0.01  # of an authority's area, for it to lie in a municipality


@dataclass
class Entry:
    """One checked row, ready to write."""

    line: int
    kind: str
    municipality: Municipality
    key: str = ""
    ward: Ward | None = None
    authority: TraditionalAuthority | None = None
    values: dict = field(default_factory=dict)  # the model's fields, checked
    portrait: Portrait | None = None
    user: object | None = None


class Problems(list):
    def add(self, line: int, column: str, reason: str) -> None:
        self.append(f"line {line}, column {column}: {reason}" if column else
                    f"line {line}: {reason}")


class RowChecker:
    """Checks rows against what is loaded (municipalities, wards, authorities, logins),
    reading each of those once."""

    def __init__(self, photos: Path) -> None:
        self.photos = Path(photos).resolve()
        self.municipalities = {m.code.upper(): m for m in Municipality.objects.defer("boundary")}
        self.authorities = {a.code.upper(): a for a in TraditionalAuthority.objects.all()}
        self.wards: dict[int, dict[int, Ward]] = {}
        self.overlaps: dict[tuple[int, int], bool] = {}
        self.users: dict[str, object] = {}

    def check(self, rows: list[Row]) -> tuple[list[Entry], Problems]:
        problems = Problems()
        entries = []
        for row in rows:
            if row.problem:
                problems.add(row.line, "", row.problem)
                continue
            entry = self._entry(row, problems)
            if entry is not None:
                entries.append(entry)
        _check_together(entries, problems)
        return entries, problems

    # --- one row ------------------------------------------------------------------------
    def _entry(self, row: Row, problems: Problems) -> Entry | None:
        v, line = row.values, row.line
        before = len(problems)
        kind = v["kind"].lower()
        municipality = self.municipalities.get(v["municipality"].upper())
        if not v["municipality"]:
            problems.add(line, "municipality", "is empty; give the municipality's code")
        elif municipality is None:
            problems.add(line, "municipality", f"unknown municipality {v['municipality']!r}")
        if kind not in KINDS:
            problems.add(line, "kind", f"unknown kind {v['kind']!r}; use one of "
                                       f"{', '.join(KINDS)}")
            return None
        for column in UNUSED[kind]:
            if v[column]:
                problems.add(line, column, f"is not used for a {kind} row; leave it empty")
        if not v["name"] and kind != COUNCIL:
            problems.add(line, "name", "is empty")
        if municipality is None:
            return None
        entry = Entry(line, kind, municipality)
        if kind in WARD_KINDS:
            entry.ward = self._ward(municipality, v["ward"], line, problems)
        if kind in (*TRADITIONAL_KINDS, COUNCIL):
            entry.authority = self._authority(municipality, v["authority"], line, problems)
        entry.values = self._values(v, line, problems)
        if v["photo"] and kind != COUNCIL:
            self._photo(entry, v["photo"], line, problems)
        if v["login"]:
            entry.user = self._user(v["login"], line, problems)
        entry.key = _key(kind, v)
        return entry if len(problems) == before else None

    def _ward(self, municipality: Municipality, raw: str, line: int,
              problems: Problems) -> Ward | None:
        if not raw:
            problems.add(line, "ward", "is empty; give the ward's number in the municipality")
            return None
        if municipality.pk not in self.wards:
            self.wards[municipality.pk] = {w.number: w for w in Ward.objects.defer("boundary")
                                           .filter(municipality=municipality)}
        wards = self.wards[municipality.pk]
        number = int(raw) if raw.isdigit() else None
        if number in wards:
            return wards[number]
        held = f"it has wards {min(wards)} to {max(wards)}" if wards else "it has no wards loaded"
        problems.add(line, "ward", f"{raw!r} is not a ward number of {municipality.code} "
                                   f"({held})")
        return None

    def _authority(self, municipality: Municipality, raw: str, line: int,
                   problems: Problems) -> TraditionalAuthority | None:
        if not raw:
            problems.add(line, "authority", "is empty; give the traditional authority's code")
            return None
        authority = self.authorities.get(raw.upper())
        if authority is None:
            problems.add(line, "authority", f"unknown traditional authority {raw!r} (import "
                                            "its area first: imbizo import-boundaries --level "
                                            "traditional-authority)")
        elif not self._overlaps(authority, municipality):
            problems.add(line, "authority", f"{authority.code} does not lie in "
                                            f"{municipality.code}")
        return authority

    def _overlaps(self, authority: TraditionalAuthority, municipality: Municipality) -> bool:
        """Whether some of the authority's area (more than slivers where boundaries drawn
        apart disagree) lies in the municipality; true when either has no boundary
        loaded: nothing to hold it against."""
        pair = (authority.pk, municipality.pk)
        if pair not in self.overlaps:
            outline = Municipality.objects.filter(pk=municipality.pk) \
                .values_list("boundary", flat=True).first()
            area = authority.geometry
            if outline and area:
                shape = Municipality(boundary=outline).geometry
                self.overlaps[pair] = area.intersects(shape) and \
                    area.intersection(shape).area >= SHARED_GROUND * area.area
            else:
                self.overlaps[pair] = True
        return self.overlaps[pair]

    def _values(self, v: dict, line: int, problems: Problems) -> dict:
        values = {name: v[name] for name in TEXT_FIELDS}
        values["key"] = v["id"]  # only to have its length checked below
        if v["phone"]:
            try:
                values["phone"] = normalise_phone(v["phone"])
            except ImbizoError as exc:
                problems.add(line, "phone", exc.message)
        if v["email"]:
            try:
                validate_email(v["email"])
                values["email"] = v["email"]
            except ValidationError:
                problems.add(line, "email", f"{v['email']!r} is not an e-mail address")
        for column in ("term_start", "term_end"):
            values[column] = _date(v[column], line, column, problems)
        start, end = values["term_start"], values["term_end"]
        if start and end and end < start:
            problems.add(line, "term_end", "is before term_start")
        try:  # the lengths the model allows, as it words them
            Representative(**{k: x for k, x in values.items() if x}).clean_fields(
                exclude=["municipality", "kind", "photo", "photo_url", "user",
                         *[f for f in ("key", *TEXT_FIELDS) if not values.get(f)]])
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                column = next((c for c, f in LIMITED.items() if f == name), name)
                problems.add(line, column, " ".join(errors))
        values.pop("key")
        return values

    def _photo(self, entry: Entry, raw: str, line: int, problems: Problems) -> None:
        if raw.lower().startswith("https://"):
            if len(raw) > Representative._meta.get_field("photo_url").max_length:
                problems.add(line, "photo", "the address is too long")
            entry.values["photo_url"] = raw
            return
        if "://" in raw:
            problems.add(line, "photo", "a photo's address must start with https://")
            return
        path = (self.photos / raw).resolve()
        if not path.is_relative_to(self.photos):
            problems.add(line, "photo", f"{raw!r} is outside the photos folder")
        elif not path.is_file():
            problems.add(line, "photo", f"no file {raw!r} in {self.photos}")
        else:
            try:
                entry.portrait = portrait_prepare(path.read_bytes())
            except ValueError as exc:
                problems.add(line, "photo", f"{raw}: {exc}")

    def _user(self, username: str, line: int, problems: Problems):
        if username not in self.users:
            self.users[username] = get_user_model().objects.filter(
                username=username, is_active=True).first()
        if self.users[username] is None:
            problems.add(line, "login", f"no active staff login {username!r}")
        return self.users[username]


def _date(raw: str, line: int, column: str, problems: Problems) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.add(line, column, f"{raw!r} is not a date like 2026-11-01")
        return None


def _key(kind: str, v: dict) -> str:
    """The person's stable key: the publisher's own id when given, else kind, ward and
    name (so a renamed person without an id is a new record, and the old one is retired)."""
    if kind == COUNCIL:
        return ""
    if v["id"]:
        return f"id:{v['id']}"
    return f"{kind}:{v['ward']}:{' '.join(v['name'].split()).casefold()}"


def _check_together(entries: list[Entry], problems: Problems) -> None:
    """What no single row shows: the same person twice, two sitting councillors for one
    ward, two leaders or two council rows for one authority."""
    seen: dict[tuple, int] = {}
    for e in entries:
        where = ("authority", e.authority.pk) if e.authority else ("municipality",
                                                                    e.municipality.pk)
        checks = [((*where, "key", e.key), "the same person as line {}")] if e.key else []
        if e.kind == Kind.WARD_COUNCILLOR:
            checks.append(((e.ward.pk, "councillor"), "a second councillor for ward "
                           f"{e.ward.number} (the first is on line {{}})"))
        if e.kind == Kind.TRADITIONAL_LEADER:
            checks.append(((e.authority.pk, "leader"), "a second leader for "
                           f"{e.authority.code} (the first is on line {{}})"))
        if e.kind == COUNCIL:
            checks.append(((e.authority.pk, "council"), "a second traditional_council row "
                           f"for {e.authority.code} (the first is on line {{}})"))
        for mark, reason in checks:
            if mark in seen:
                problems.add(e.line, "", reason.format(seen[mark]))
            else:
                seen[mark] = e.line
