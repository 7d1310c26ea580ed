"""``representatives_import``: load a representatives file, all or nothing.

Every row is checked first (checks.py); one bad row, or a refused permission, writes
nothing. The file is the whole published list of each kind it holds for each municipality
(or traditional authority) it names: people listed are created or updated by their key,
people of those kinds there who are no longer listed are retired (``active`` off, kept
for the record), and kinds or places the file does not mention are left alone.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, require

from .checks import COUNCIL, Entry, RowChecker
from .models import Representative, TraditionalCouncil
from .sources import read_rows

MAX_LISTED = 20  # problems shown in the message; the error's ``problems`` holds them all
PERSON_FIELDS = ("kind", "ward", "council", "title", "name", "position", "party", "phone",
                 "email", "office", "hours", "photo", "photo_sha256", "photo_url",
                 "term_start", "term_end", "user")
COUNCIL_FIELDS = ("name", "phone", "email", "office", "hours")
RELATIONS = ("ward", "council", "user")


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    councils: int = 0  # traditional councils created or changed
    photos: int = 0  # photos stored (new or changed)


def representatives_import(*, actor: Actor, path: Path, photos: Path | None = None,
                           encoding: str = "utf-8-sig") -> ImportResult:
    """Load ``path`` (CSV, docs/representatives.md); photo files are looked up in
    ``photos`` (default: the file's own folder)."""
    require(actor, "representatives.manage")
    path = Path(path)
    entries, problems = RowChecker(photos or path.parent).check(read_rows(path, encoding))
    if problems:
        shown = problems[:MAX_LISTED]
        more = len(problems) - len(shown)
        raise ImbizoError(
            "invalid_representatives_file",
            f"{path.name}: nothing was imported; {len(problems)} problem(s):\n  "
            + "\n  ".join(shown) + (f"\n  ... and {more} more" if more else ""),
            problems=list(problems))
    if not entries:
        raise ImbizoError("invalid_representatives_file",
                          f"{path.name}: holds no rows; nothing was imported.")
    for municipality_id in {e.municipality.pk for e in entries}:
        require(actor, "representatives.manage", municipality_id)
    stored: list[str] = []
    try:
        return _write(actor, entries, path.name, stored)
    except BaseException:
        for name in stored:  # the transaction rolled back: keep no orphan files
            default_storage.delete(name)
        raise


@transaction.atomic
def _write(actor: Actor, entries: list[Entry], source: str, stored: list[str]) -> ImportResult:
    result = ImportResult(rows=len(entries))
    now = timezone.now()
    councils = _councils(entries, now, result)
    people = [e for e in entries if e.kind != COUNCIL]
    scope = Q(pk__in=[])
    for kind, municipality_id, council in {_scope(e, councils) for e in people}:
        scope |= Q(kind=kind, council=council, **({} if council else
                                                  {"municipality_id": municipality_id}))
    existing = {_lookup(r.municipality_id, r.council_id, r.key): r
                for r in Representative.objects.filter(scope).select_related("municipality")
                .defer("municipality__boundary")}
    was_active = {r.pk: r for r in existing.values() if r.active}
    Representative.objects.filter(pk__in=list(was_active)).update(active=False)
    created, changed, unchanged, replaced = [], [], [], []
    counts: dict[str, Counter] = {}
    for entry in people:
        council = councils.get(entry.authority.pk) if entry.authority else None
        obj = existing.get(_lookup(entry.municipality.pk, council and council.pk, entry.key))
        fresh = obj is None
        if fresh:
            obj = Representative(municipality=entry.municipality, key=entry.key)
        differs = _apply(obj, entry, council, stored, replaced)
        differs |= not fresh and not obj.active
        obj.active, obj.updated = True, now
        tally = counts.setdefault(entry.municipality.code, Counter())
        (created if fresh else changed if differs else unchanged).append(obj)
        tally["created" if fresh else "updated" if differs else "unchanged"] += 1
    listed = {o.pk for o in changed + unchanged}
    for retired in (r for pk, r in was_active.items() if pk not in listed):
        counts.setdefault(retired.municipality.code, Counter())["retired"] += 1
    Representative.objects.filter(pk__in=[o.pk for o in unchanged]).update(active=True)
    Representative.objects.bulk_update(changed, [*PERSON_FIELDS, "active", "updated"],
                                       batch_size=500)
    Representative.objects.bulk_create(created, batch_size=500)
    result.created, result.updated, result.unchanged = len(created), len(changed), len(unchanged)
    result.retired = len(was_active) - len(listed & set(was_active))
    result.photos = len(stored)
    transaction.on_commit(lambda: [default_storage.delete(n) for n in replaced])
    emit("representatives_changed", municipalities=sorted(counts))
    for code, tally in sorted(counts.items()):
        audit_record(actor=actor.label, channel=actor.channel, action="representatives.import",
                     object_type="representatives.representative", object_id=source,
                     municipality_code=code, changes={**tally, "councils": result.councils})
    return result


def _scope(entry: Entry, councils: dict) -> tuple:
    """What a row's list is the whole of: its kind in its municipality, or in its council."""
    council = councils[entry.authority.pk] if entry.authority else None
    return entry.kind, entry.municipality.pk, council


def _lookup(municipality_id: int, council_id: int | None, key: str) -> tuple:
    return (None, council_id, key) if council_id else (municipality_id, None, key)


def _apply(obj: Representative, entry: Entry, council: TraditionalCouncil | None,
           stored: list[str], replaced: list[str]) -> bool:
    """Set the row's values on ``obj``; whether anything changed. A new photo is stored
    now (deleted again if the import fails); the one it replaces after the commit."""
    values = {"title": "", "position": "", "party": "", "phone": "", "email": "", "office": "",
              "hours": "", "photo_url": "", "term_start": None, "term_end": None,
              **entry.values, "kind": entry.kind, "ward": entry.ward, "council": council,
              "user": entry.user}
    portrait = entry.portrait
    if portrait is None:
        values |= {"photo": "", "photo_sha256": ""}
    elif portrait.sha256 != obj.photo_sha256 or not obj.photo:
        name = f"representatives/{obj.uuid}-{portrait.sha256[:12]}.jpg"
        values |= {"photo": default_storage.save(name, ContentFile(portrait.content)),
                   "photo_sha256": portrait.sha256}
        stored.append(values["photo"])
    if obj.photo and values.get("photo", obj.photo.name) != obj.photo.name:
        replaced.append(obj.photo.name)
    differs = False
    for name, value in values.items():
        if name in RELATIONS:  # by id: reading the related object would be a query
            same = getattr(obj, f"{name}_id") == (value.pk if value else None)
        else:
            current = getattr(obj, name)
            same = (current.name if name == "photo" else current) == value
        if not same:
            setattr(obj, name, value)
            differs = True
    return differs


def _councils(entries: list[Entry], now, result: ImportResult) -> dict[int, TraditionalCouncil]:
    """The council of every authority the file names (created when new), its name and
    contact set from the file's ``traditional_council`` row where there is one."""
    authorities = {e.authority.pk: e.authority for e in entries if e.authority}
    councils = {c.authority_id: c for c in
                TraditionalCouncil.objects.filter(authority_id__in=list(authorities))}
    touched = set()
    for pk, authority in authorities.items():
        if pk not in councils:
            councils[pk] = TraditionalCouncil.objects.create(authority=authority)
            touched.add(pk)
    for entry in (e for e in entries if e.kind == COUNCIL):
        council = councils[entry.authority.pk]
        values = {f: entry.values.get(f, "") for f in COUNCIL_FIELDS}
        differs = [f for f, v in values.items() if getattr(council, f) != v]
        if differs:
            for name in differs:
                setattr(council, name, values[name])
            council.updated = now
            council.save(update_fields=[*differs, "updated"])
            touched.add(entry.authority.pk)
    result.councils = len(touched)
    return councils
