"""Reading eskom-calendar's ``area_metadata.yaml``: for each calendar, who sheds it, the
municipalities it covers and the names of its suburbs. Nothing written.

``area_details`` is a list of entries, each with ``calendar_name`` (``<key>.ics``; the
schedule is ``generated/<key>.csv``), ``provider``, ``source`` and ``areas``. Two shapes:
- a municipality's own calendar names ``province``, ``municipality`` (and ``city``) once,
  and ``areas`` is a list of ``{name: <suburb>}``;
- an Eskom direct calendar names neither; each item of ``areas`` is ``{province,
  municipality, name: [<suburb>, ...]}``.
A calendar listed twice is read as one (its suburbs and municipalities joined).
"""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .names import normalise

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class AreaMeta:
    key: str
    provider: str = ""
    source: str = ""
    provinces: set[str] = field(default_factory=set)
    coverage: list[tuple[str, str]] = field(default_factory=list)  # (province, slug)
    suburbs: dict[str, str] = field(default_factory=dict)  # normalised -> as written
    listed: int = 0  # entries naming this calendar


class _LineLoader(Loader):
    """Each mapping remembers the line it starts on (``__line__``), for the report."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def metadata_read(path: Path, label: str) -> tuple[dict[str, AreaMeta], list[str]]:
    """Each calendar's metadata by key, and the problems found ("``label`` line N: ...").
    Read by the plain safe loader; only a file with problems is read again, noting where
    each entry starts, to name their lines."""
    found, problems = _read(path, label, Loader)
    if problems and not problems[0].startswith(f"{label}:"):
        found, problems = _read(path, label, _LineLoader)
    return found, problems


def _read(path: Path, label: str, loader) -> tuple[dict[str, AreaMeta], list[str]]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=loader)  # both are safe loaders
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return {}, [f"{label}: cannot be read ({exc})"]
    entries = data.get("area_details") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return {}, [f"{label}: no list of area_details"]
    found: dict[str, AreaMeta] = {}
    problems: list[str] = []
    for number, entry in enumerate(entries, start=1):
        line = entry.get("__line__", 0) if isinstance(entry, dict) else 0
        try:
            _entry(entry, found)
        except ValueError as exc:
            where = f"line {line}" if line else f"entry {number}"
            problems.append(f"{label} {where}: {exc}")
    return found, problems


def _entry(entry, found: dict[str, AreaMeta]) -> None:
    if not isinstance(entry, dict):
        raise ValueError("an entry of area_details is not a mapping")
    name = entry.get("calendar_name")
    if not isinstance(name, str) or not name.endswith(".ics") or len(name) <= 4:
        raise ValueError(f"calendar_name {name!r} is not <key>.ics")
    key = name.removesuffix(".ics")
    meta = found.setdefault(key, AreaMeta(key=key))
    meta.listed += 1
    meta.provider = meta.provider or _text(entry.get("provider"))
    meta.source = meta.source or _text(entry.get("source"))
    items = entry.get("areas")
    if not isinstance(items, list):
        raise ValueError(f"{name}: areas is not a list")
    _place(meta, entry)
    for item in items:
        if not isinstance(item, dict) or "name" not in item:
            raise ValueError(f"{name}: an item of areas has no name")
        _place(meta, item)
        names = item["name"] if isinstance(item["name"], list) else [item["name"]]
        for suburb in names:
            _suburb(meta, suburb, name)
    if entry.get("city"):
        _suburb(meta, entry["city"], name)


def _place(meta: AreaMeta, mapping: dict) -> None:
    province = _text(mapping.get("province"))
    municipality = _text(mapping.get("municipality"))
    if province:
        meta.provinces.add(province)
    if municipality and (province, municipality) not in meta.coverage:
        meta.coverage.append((province, municipality))


def _suburb(meta: AreaMeta, suburb, calendar: str) -> None:
    if not isinstance(suburb, str | int):
        raise ValueError(f"{calendar}: suburb {suburb!r} is not a name")
    written = " ".join(str(suburb).split())[:200]
    key = normalise(written)
    if key:
        meta.suburbs.setdefault(key, written)


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""
