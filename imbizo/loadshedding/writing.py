"""Writing checked areas in bulk: new areas created, changed ones rewritten (their slots,
suburbs and municipalities replaced), unchanged ones (same content hash) left alone. The
caller holds the transaction. The schedule version is bumped when anything was written, and
this process's memo dropped after the commit."""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .memo import schedule_memo
from .models import Area, AreaMunicipality, AreaSuburb, ScheduleVersion, Slot

BATCH = 2000
AREA_FIELDS = ("name", "provider", "province", "municipality_id", "cycle", "cycle_days",
               "cycle_start", "has_schedule", "source", "content_hash")


@dataclass
class AreaPlan:
    key: str
    name: str
    provider: str = ""
    province: str = ""
    municipality_id: int | None = None
    source: str = ""
    cycle: str = Area.Cycle.MONTHLY
    cycle_days: int = 31
    cycle_start: date | None = None
    slots: list[tuple[int, int, int, int]] = field(default_factory=list)  # day,start,end,stage
    coverage: list[tuple[str, str, int | None]] = field(default_factory=list)
    suburbs: list[tuple[str, str]] = field(default_factory=list)  # (normalised, name)
    content_hash: str = ""

    @property
    def has_schedule(self) -> bool:
        return bool(self.slots)

    def content(self) -> list:
        return [getattr(self, name) for name in AREA_FIELDS if name != "content_hash"] + [
            self.slots, self.coverage, self.suburbs]

    def row(self) -> dict:
        return {name: getattr(self, name) for name in AREA_FIELDS}


def plans_write(plans: list[AreaPlan]) -> tuple[int, int, int, int, list[str]]:
    """(created, updated, unchanged, slots written, keys in the database not planned)."""
    existing = {key: (pk, digest) for key, pk, digest in
                Area.objects.values_list("key", "pk", "content_hash")}
    new = [plan for plan in plans if plan.key not in existing]
    changed = [plan for plan in plans
               if plan.key in existing and existing[plan.key][1] != plan.content_hash]
    created = Area.objects.bulk_create([Area(key=p.key, **p.row()) for p in new],
                                       batch_size=BATCH)
    ids = {area.key: area.pk for area in created}
    if changed:
        rows = [Area(pk=existing[p.key][0], key=p.key, **p.row()) for p in changed]
        Area.objects.bulk_update(rows, list(AREA_FIELDS), batch_size=500)
        old = [existing[p.key][0] for p in changed]
        for model in (Slot, AreaSuburb, AreaMunicipality):
            for start in range(0, len(old), 500):
                model.objects.filter(area_id__in=old[start:start + 500]).delete()
        ids |= {p.key: existing[p.key][0] for p in changed}
    written = [*new, *changed]
    slots = _children(written, ids)
    if written:
        schedule_version_bump()
    planned = {plan.key for plan in plans}
    return (len(new), len(changed), len(plans) - len(written), slots,
            sorted(set(existing) - planned))


def _children(plans: list[AreaPlan], ids: dict[str, int]) -> int:
    slots = [(ids[p.key], d, s, e, st) for p in plans for d, s, e, st in p.slots]
    _rows_insert(Slot, ("area_id", "day", "start", "end", "stage"), slots)
    _rows_insert(AreaSuburb, ("area_id", "normalised", "name"),
                 [(ids[p.key], normal, name) for p in plans for normal, name in p.suburbs])
    _rows_insert(AreaMunicipality, ("area_id", "province", "slug", "municipality_id"),
                 [(ids[p.key], province, slug[:100], pk)
                  for p in plans for province, slug, pk in p.coverage])
    return len(slots)


def _rows_insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain tuples in one pass, no model instance made: COPY on PostgreSQL, one statement
    run over every row elsewhere (100,000 slots in well under a second)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def schedule_version_bump() -> None:
    """Every process's memo reloads within a second; this one after the commit."""
    ScheduleVersion.objects.get_or_create(pk=1)
    ScheduleVersion.objects.filter(pk=1).update(version=F("version") + 1,
                                                changed=timezone.now())
    transaction.on_commit(schedule_memo.invalidate)
