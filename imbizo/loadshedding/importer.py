"""``imbizo import-loadshedding DIR``: the eskom-calendar area schedules and their
metadata, checked whole before anything is written, then written in one transaction.

DIR holds ``generated/*.csv`` (one schedule per area, calendars.py) and
``area_metadata.yaml`` (metadata.py). Every problem in every file is reported (file, line,
reason) and nothing is written if there is one. An area is its file's name without
``.csv``; the metadata's ``<key>.ics`` is the same area. A calendar in the metadata with no
file becomes an area without a schedule; a file with no metadata an area without suburbs
or municipalities; both are reported. Areas are created or updated by key, and an area
whose content is unchanged (a hash of all of it) is not touched, so running the same
import again writes nothing. Areas missing from the files are kept (residents may follow
them) and reported.
"""

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Actor

from .calendars import Calendar, calendar_read
from .matching import MunicipalityMatcher
from .metadata import AreaMeta, metadata_read
from .names import area_name, display, normalise
from .writing import AreaPlan, plans_write

MANAGE = "loadshedding.manage"
METADATA = "area_metadata.yaml"
SCHEDULES = "generated"
SHOWN_PROBLEMS = 50  # in the error's message; every one is in its ``problems``
SHOWN_NAMES = 15


@dataclass
class ImportReport:
    areas_created: int = 0
    areas_updated: int = 0
    areas_unchanged: int = 0
    slots_written: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def loadshedding_import(*, actor: Actor, directory: Path) -> ImportReport:
    """Import every area of ``directory``, all or nothing (platform administrators and
    the command line only: the schedules are national)."""
    if not actor.is_global(MANAGE):
        raise PermissionDenied(_("Only platform administrators import load-shedding "
                                 "schedules."))
    began = time.monotonic()
    calendars, metas, problems = _read(Path(directory))
    if problems:
        raise ImbizoError(
            "import_invalid",
            _("%(count)d problems; nothing was loaded.") % {"count": len(problems)}
            + "\n" + "\n".join(problems[:SHOWN_PROBLEMS]), problems=problems)
    report = ImportReport(notes=_notes(calendars, metas))
    matcher = MunicipalityMatcher()
    plans = [_plan(key, calendars.get(key), metas.get(key), matcher)
             for key in sorted(set(calendars) | set(metas))]
    report.notes += _unmatched(plans)
    with transaction.atomic():
        written = plans_write(plans)
        report.areas_created, report.areas_updated, report.areas_unchanged, \
            report.slots_written, missing = written
        if missing:
            report.notes.append(_listed(
                "areas in the database are not in these files (kept)", missing))
        if report.areas_created or report.areas_updated:  # nothing changed: nothing to audit
            audit_record(actor=actor.label, channel=actor.channel,
                         action="loadshedding.import",
                         object_type="loadshedding.area", object_id=str(directory)[-64:],
                         changes={"created": report.areas_created,
                                  "updated": report.areas_updated,
                                  "unchanged": report.areas_unchanged,
                                  "slots": report.slots_written})
    report.seconds = time.monotonic() - began
    return report


def _read(directory: Path) -> tuple[dict[str, Calendar], dict[str, AreaMeta], list[str]]:
    schedules, metadata = directory / SCHEDULES, directory / METADATA
    missing = [str(p) for p in (schedules, metadata) if not p.exists()]
    if missing:
        return {}, {}, [f"{p}: not found (DIR holds generated/*.csv and {METADATA})"
                        for p in missing]
    problems: list[str] = []
    calendars: dict[str, Calendar] = {}
    for path in sorted(schedules.glob("*.csv")):
        calendar, found = calendar_read(path, f"{SCHEDULES}/{path.name}")
        calendars[calendar.key] = calendar
        problems += found
    metas, found = metadata_read(metadata, METADATA)
    return calendars, metas, problems + found


def _plan(key: str, calendar: Calendar | None, meta: AreaMeta | None,
          matcher: MunicipalityMatcher) -> AreaPlan:
    meta = meta or AreaMeta(key=key)
    coverage = [(province, slug, matcher.match(province, slug))
                for province, slug in meta.coverage]
    matched = {pk for _p, _s, pk in coverage if pk is not None}
    name = area_name(key)
    suburbs = dict(meta.suburbs)
    suburbs.setdefault(normalise(name)[:200], name)  # the area is found by its own name too
    plan = AreaPlan(
        key=key, name=name[:200], provider=meta.provider[:64],
        province=next(iter(meta.provinces))[:64] if len(meta.provinces) == 1 else "",
        municipality_id=matcher.operator(meta.provider, matched),
        source=meta.source[:500], coverage=coverage,
        suburbs=sorted((n[:200], display(written)[:200]) for n, written in suburbs.items()),
    )
    if calendar is not None and calendar.slots:
        plan.cycle, plan.cycle_days = calendar.cycle, calendar.cycle_days or 1
        plan.cycle_start = calendar.cycle_start
        plan.slots = sorted((day, start, end, stage)
                            for (day, start, end), stage in calendar.slots.items())
    plan.content_hash = hashlib.sha256(json.dumps(plan.content(), default=str)
                                       .encode()).hexdigest()
    return plan


def _notes(calendars: dict[str, Calendar], metas: dict[str, AreaMeta]) -> list[str]:
    notes = []
    if no_file := sorted(set(metas) - set(calendars)):
        notes.append(_listed(f"calendars in {METADATA} have no schedule file (areas without "
                             "a schedule)", no_file))
    if no_meta := sorted(set(calendars) - set(metas)):
        notes.append(_listed(f"schedule files have no entry in {METADATA} (no suburbs or "
                             "municipalities)", no_meta))
    if empty := sorted(k for k, c in calendars.items() if not c.slots):
        notes.append(_listed("schedule files hold no slot (areas without a schedule)", empty))
    if twice := sorted(k for k, m in metas.items() if m.listed > 1):
        notes.append(_listed(f"calendars are listed more than once in {METADATA} (read as "
                             "one)", twice))
    return notes


def _unmatched(plans: list[AreaPlan]) -> list[str]:
    slugs = {(province, slug) for plan in plans for province, slug, _pk in plan.coverage}
    matched = {(province, slug) for plan in plans for province, slug, pk in plan.coverage
               if pk is not None}
    missing = sorted(f"{slug} ({province})" if province else slug
                     for province, slug in slugs - matched)
    if not slugs:
        return []
    head = (f"{len(matched)} of {len(slugs)} municipality names matched a loaded "
            "municipality")
    return [head + (f"; not matched: {', '.join(missing[:SHOWN_NAMES])}"
                    + (", ..." if len(missing) > SHOWN_NAMES else "") if missing else "")]


def _listed(what: str, keys: list[str]) -> str:
    shown = ", ".join(keys[:SHOWN_NAMES]) + (", ..." if len(keys) > SHOWN_NAMES else "")
    return f"{len(keys)} {what}: {shown}"
