"""Writes to geography: boundary layers are imported all or nothing; a few edits besides."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from tqdm import tqdm

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, require

from .models import BoundaryVersion, Municipality, Province, TraditionalAuthority, Ward
from .sources import MAX_LISTED_PROBLEMS, Feature, check_feature, read_features

LEVELS = ("province", "district", "municipality", "ward", "traditional-authority")
BATCH = 500


@dataclass
class ImportResult:
    level: str
    created: int = 0
    updated: int = 0
    repaired: list[str] = field(default_factory=list)


@dataclass
class Fields:
    """Which feature properties hold the code, name, parent and ward number."""

    code: str = "Code"
    name: str = "Name"
    parent: str = "Parent_cod"
    number: str = ""
    fixed_parent: str = ""  # one parent code for every feature (e.g. a city's own file)


def _text(props: dict, key: str) -> str:
    value = props.get(key) if key else None
    return "" if value is None else str(value).strip()


class _Layer:
    """Turns checked features of one level into model rows; raises ValueError per feature."""

    model = None
    fields: tuple[str, ...] = ("name", "boundary")

    def __init__(self, spec: Fields) -> None:
        self.spec = spec

    def code_of(self, props: dict) -> str:
        return _text(props, self.spec.code)

    def parent_of(self, props: dict) -> str:
        return self.spec.fixed_parent or _text(props, self.spec.parent)

    def values(self, f: Feature, code: str) -> dict:
        return {"name": _text(f.properties, self.spec.name) or code}


class _Provinces(_Layer):
    model = Province


class _Districts(_Layer):
    """District layer: DC codes are districts (C); other codes are metros (A)."""

    model = Municipality
    fields = ("name", "boundary", "category", "province", "district")

    def __init__(self, spec: Fields) -> None:
        super().__init__(spec)
        self.provinces = {p.code: p for p in Province.objects.all()}

    def values(self, f: Feature, code: str) -> dict:
        parent = self.parent_of(f.properties)
        province = self.provinces.get(parent)
        if province is None:
            raise ValueError(f"its province {parent!r} is not loaded; import provinces first.")
        category = Municipality.Category.DISTRICT if code.upper().startswith("DC") \
            else Municipality.Category.METRO
        return {**super().values(f, code), "category": category, "province": province,
                "district": None}


class _Municipalities(_Layer):
    """Metros (parent is their own code) and local municipalities (parent is a district)."""

    model = Municipality
    fields = _Districts.fields

    def __init__(self, spec: Fields) -> None:
        super().__init__(spec)
        self.known = {m.code: m for m in Municipality.objects.select_related("province")}
        provinces = list(Province.objects.exclude(boundary=None))
        self.province_tree = shapely.STRtree([p.geometry for p in provinces])
        self.province_list = provinces

    def _province_at(self, f: Feature) -> Province | None:
        hits = self.province_tree.query(f.geometry.representative_point(), predicate="within")
        return self.province_list[int(hits.min())] if len(hits) else None

    def values(self, f: Feature, code: str) -> dict:
        parent = self.parent_of(f.properties)
        base = super().values(f, code)
        if parent and parent != code:
            district = self.known.get(parent)
            if district is None or district.category != Municipality.Category.DISTRICT:
                raise ValueError(f"its district {parent!r} is not loaded; import districts first.")
            return {**base, "category": Municipality.Category.LOCAL,
                    "province": district.province, "district": district}
        existing = self.known.get(code)
        province = existing.province if existing else self._province_at(f)
        if province is None:
            raise ValueError("it names no district and lies in no loaded province; "
                             "import provinces (or districts) first.")
        return {**base, "category": Municipality.Category.METRO, "province": province,
                "district": None}


class _Wards(_Layer):
    model = Ward
    fields = ("name", "boundary", "municipality", "number")

    def __init__(self, spec: Fields) -> None:
        super().__init__(spec)
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.existing = {(w.municipality_id, w.number): w.code
                         for w in Ward.objects.only("code", "municipality_id", "number")}

    def _number(self, props: dict) -> int:
        raw = _text(props, self.spec.number) if self.spec.number else \
            _text(props, self.spec.code)[-3:]
        if not raw.isdigit() or int(raw) == 0:
            raise ValueError(f"its ward number {raw!r} is not a positive whole number.")
        return int(raw)

    def code_of(self, props: dict) -> str:
        code = _text(props, self.spec.code)
        if code or not self.spec.number:
            return code
        # A city's own file may carry only ward numbers: reuse the official id if known.
        parent = self.parent_of(props)
        municipality = self.municipalities.get(parent)
        number = self._number(props)
        if municipality and (municipality.pk, number) in self.existing:
            return self.existing[(municipality.pk, number)]
        return f"{parent}-{number}" if municipality else ""

    def values(self, f: Feature, code: str) -> dict:
        parent = self.parent_of(f.properties)
        municipality = self.municipalities.get(parent)
        if municipality is None:
            raise ValueError(f"its municipality {parent!r} is not loaded; "
                             "import municipalities first.")
        number = self._number(f.properties)
        name = _text(f.properties, self.spec.name)
        if not name or name == code:
            name = f"Ward {number}"
        return {"name": name, "municipality": municipality, "number": number}


class _TraditionalAuthorities(_Layer):
    model = TraditionalAuthority
    fields = ("name", "boundary", "province")

    def __init__(self, spec: Fields) -> None:
        super().__init__(spec)
        self.provinces = {p.code: p for p in Province.objects.all()}

    def values(self, f: Feature, code: str) -> dict:
        parent = self.parent_of(f.properties)
        if parent and parent not in self.provinces:
            raise ValueError(f"its province {parent!r} is not loaded.")
        return {**super().values(f, code), "province": self.provinces.get(parent)}


LAYERS = {
    "province": _Provinces,
    "district": _Districts,
    "municipality": _Municipalities,
    "ward": _Wards,
    "traditional-authority": _TraditionalAuthorities,
}


def boundaries_import(*, actor: Actor, level: str, path: Path, spec: Fields | None = None,
                      progress: bool = False) -> ImportResult:
    """Load one boundary layer. Every feature is checked before anything is written;
    one bad feature (or a bad file) writes nothing. Re-importing updates rows by code."""
    require(actor, "geo.manage")
    if level not in LAYERS:
        raise ImbizoError("unknown_level", f"Unknown level {level!r}; use one of "
                                           f"{', '.join(LEVELS)}.")
    layer = LAYERS[level](spec or Fields())
    rows: dict[str, dict] = {}
    problems: list[str] = []
    result = ImportResult(level)
    raw_features = read_features(path)
    for raw in tqdm(raw_features, desc=f"checking {level}", unit=" features",
                    disable=not progress, leave=False):
        label = "no code"
        try:
            code = layer.code_of(raw.properties)
            label = f"code {code}" if code else label
            feature = check_feature(raw, label)
            if not code:
                raise ValueError(f"feature {raw.position} has no {layer.spec.code!r} property.")
            if code in rows:
                raise ValueError(f"feature {raw.position} repeats the code {code}.")
            values = layer.values(feature, code)
        except ValueError as exc:
            message = str(exc)
            if not message.startswith("feature "):
                message = f"feature {raw.position} ({label}): {message}"
            problems.append(message)
            continue
        if feature.repaired:
            result.repaired.append(code)
        values["boundary"] = shapely.to_wkb(feature.geometry)
        rows[code] = values
    if problems:
        shown = problems[:MAX_LISTED_PROBLEMS]
        more = len(problems) - len(shown)
        raise ImbizoError(
            "invalid_boundary_file",
            f"{Path(path).name}: nothing was imported; {len(problems)} problem(s):\n  "
            + "\n  ".join(shown) + (f"\n  ... and {more} more" if more else ""),
            problems=problems,
        )
    if not rows:
        raise ImbizoError("invalid_boundary_file", f"{Path(path).name}: holds no features.")
    _write(actor, layer, rows, result, progress)
    return result


@transaction.atomic
def _write(actor: Actor, layer: _Layer, rows: dict[str, dict], result: ImportResult,
           progress: bool) -> None:
    model = layer.model
    existing = model.objects.in_bulk(list(rows), field_name="code")
    now = timezone.now()
    to_create, to_update = [], []
    for code, values in rows.items():
        obj = existing.get(code)
        if obj is None:
            to_create.append(model(code=code, **values))
        else:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.updated = now
            to_update.append(obj)
    bar = tqdm(total=len(rows), desc=f"writing {result.level}", unit=" features",
               disable=not progress, leave=False)
    for start in range(0, len(to_create), BATCH):
        chunk = to_create[start:start + BATCH]
        model.objects.bulk_create(chunk)
        bar.update(len(chunk))
    for start in range(0, len(to_update), BATCH):
        chunk = to_update[start:start + BATCH]
        model.objects.bulk_update(chunk, [*layer.fields, "updated"])
        bar.update(len(chunk))
    bar.close()
    result.created, result.updated = len(to_create), len(to_update)
    BoundaryVersion.objects.get_or_create(pk=1)
    BoundaryVersion.objects.filter(pk=1).update(version=F("version") + 1, changed=now)
    emit("boundaries_changed", level=result.level)
    audit_record(actor=actor.label, channel=actor.channel, action="boundaries.import",
                 object_type=f"geo.{result.level}", object_id=result.level,
                 changes={"created": result.created, "updated": result.updated,
                          "repaired": result.repaired[:50]})


@transaction.atomic
def province_ensure(*, actor: Actor, code: str, name: str) -> Province:
    """The province record, created without a boundary if it is not loaded. A real
    province's boundary comes only from a real file (``import-boundaries``)."""
    require(actor, "geo.manage")
    province, created = Province.objects.get_or_create(code=code, defaults={"name": name})
    if created:
        province.full_clean()
        audit_record(actor=actor.label, channel=actor.channel, action="province.create",
                     obj=province, changes={"code": code, "name": name, "boundary": None})
    return province


@transaction.atomic
def ward_suburbs_set(*, actor: Actor, municipality: Municipality,
                     suburbs: Mapping[int, Sequence[str]]) -> int:
    """Set the suburb lists (one name a line) of a municipality's wards, by ward number,
    in one bulk update; returns how many wards changed."""
    require(actor, "geo.manage")
    now = timezone.now()
    wards = list(Ward.objects.filter(municipality=municipality, number__in=list(suburbs))
                 .only("pk", "number", "suburbs"))
    for ward in wards:
        ward.suburbs, ward.updated = "\n".join(suburbs[ward.number]), now
    Ward.objects.bulk_update(wards, ["suburbs", "updated"])
    audit_record(actor=actor.label, channel=actor.channel, action="ward.suburbs_set",
                 object_type="geo.ward", object_id=municipality.code,
                 municipality_code=municipality.code, changes={"wards": len(wards)})
    return len(wards)
