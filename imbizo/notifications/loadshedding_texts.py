"""What a load-shedding alert says (notifications/loadshedding.py), made once per
language (and per set of areas) a task: one SMS of GSM-7 characters (160) where the
areas allow, with the hint to stop alerts. Times are 24-hour and local.

A stage change: the new stage, from when, and each area the resident follows with its
outages today and tomorrow at the new stage. A slot: the area, the outage's times and
its stage; a night slot is told the evening before, so it says "tomorrow" when it is.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from imbizo.core.errors import ImbizoError
from imbizo.loadshedding.cycle import SOUTH_AFRICA, Outage, local_midnight
from imbizo.loadshedding.models import AlertRun, Area
from imbizo.loadshedding.selectors import schedule_between

SMS_CHARS = 160  # one GSM-7 SMS
NAME_ROOM = 24  # an area's name, cut to fit
TEMPLATE = "loadshedding_alert"  # settings.WHATSAPP_TEMPLATES' key, if one is approved

STAGE = _("Imbizo: load-shedding stage %(stage)s from %(when)s.")
SUSPENDED = _("Imbizo: load-shedding suspended from %(when)s.")
AREA_TIMES = _("%(area)s: today %(today)s; tomorrow %(tomorrow)s.")
NONE = _("none")
SLOT_TODAY = _("Imbizo: load-shedding in %(area)s today %(start)s-%(end)s (stage %(stage)s).")
SLOT_TOMORROW = _("Imbizo: load-shedding in %(area)s tomorrow %(start)s-%(end)s "
                  "(stage %(stage)s).")
STOP_HINT = _("Stop alerts: reply STOP LS.")


def _short(name: str) -> str:
    """Cut with "..." (a "…" is no GSM-7 character: the SMS would take UCS-2's 70)."""
    return name if len(name) <= NAME_ROOM else name[:NAME_ROOM - 3].rstrip() + "..."


def _clock(moment: datetime, day) -> str:
    local = moment.astimezone(SOUTH_AFRICA)
    return f"{local:%H:%M}" if local.date() == day else f"{local:%d/%m %H:%M}"


def _times(outages: list[Outage]) -> str:
    return ", ".join(f"{o.start:%H:%M}-{o.end:%H:%M}" for o in outages) or str(NONE)


def _fit(head: str, parts: list[str], tail: str) -> str:
    """The head, as many areas' parts as fit one SMS, the hint; the first area's part
    is kept (its name cut) even when nothing else fits."""
    kept = list(parts)
    while len(kept) > 1 and len(" ".join([head, *kept, tail])) > SMS_CHARS:
        kept.pop()
    return " ".join([head, *kept, tail])


@dataclass
class AreaDay:
    name: str
    today: list[Outage]
    tomorrow: list[Outage]


class StageTexts:
    """A stage change's alert per language and set of areas, made once a task. Each
    area's outages are worked out once (the schedule memo), from the change (or now, if
    later) to the end of tomorrow."""

    def __init__(self, run: AlertRun, now: datetime) -> None:
        self.stage, self.at = run.stage, run.change.at
        self.from_ = max(now, self.at).astimezone(SOUTH_AFRICA)
        self.today = self.from_.date()
        self.template = settings.WHATSAPP_TEMPLATES.get(TEMPLATE)
        self.areas: dict[int, AreaDay | None] = {}
        self.done: dict[tuple, tuple[str, dict | None]] = {}

    def _area(self, area_id: int) -> AreaDay | None:
        if area_id not in self.areas:
            key = Area.objects.filter(pk=area_id).values_list("key", flat=True).first()
            tomorrow = local_midnight(self.today + timedelta(days=1))
            try:
                found = schedule_between(key=key or "", start=self.from_,
                                         end=tomorrow + timedelta(days=1))
            except ImbizoError:  # its schedule went since it was followed
                self.areas[area_id] = None
            else:
                self.areas[area_id] = AreaDay(
                    found.area.name, [o for o in found.outages if o.start < tomorrow],
                    [o for o in found.outages if o.start >= tomorrow])
        return self.areas[area_id]

    def __call__(self, resident, _channel: str) -> tuple[str, dict | None]:
        """The resident's message (their language, their areas) and template."""
        language, areas = resident.language, resident.areas
        if (language, areas) not in self.done:
            days = [d for d in (self._area(a) for a in areas) if d is not None]
            when = _clock(self.at, self.today)
            with translation.override(language):
                head = str(STAGE if self.stage else SUSPENDED) % {"stage": self.stage,
                                                                  "when": when}
                parts = [str(AREA_TIMES) % {"area": _short(d.name), "today": _times(d.today),
                                            "tomorrow": _times(d.tomorrow)}
                         for d in days] if self.stage else []
                body = _fit(head, parts, str(STOP_HINT))
            template = {"name": self.template, "language": language,
                        "params": [body]} if self.template else None
            self.done[language, areas] = (body, template)
        return self.done[language, areas]


class SlotTexts:
    """A slot's alert per language: the area, the times, the stage."""

    def __init__(self, run: AlertRun, now: datetime) -> None:
        area = Area.objects.filter(pk=run.areas[0]).values_list("name", flat=True).first()
        start, end = (t.astimezone(SOUTH_AFRICA) for t in (run.slot_start, run.slot_end))
        self.values = {"area": _short(area or ""), "start": f"{start:%H:%M}",
                       "end": f"{end:%H:%M}", "stage": run.stage}
        self.tomorrow = start.date() != now.astimezone(SOUTH_AFRICA).date()
        self.template = settings.WHATSAPP_TEMPLATES.get(TEMPLATE)
        self.done: dict[str, tuple[str, dict | None]] = {}

    def __call__(self, resident, _channel: str) -> tuple[str, dict | None]:
        language = resident.language
        if language not in self.done:
            with translation.override(language):
                said = str(SLOT_TOMORROW if self.tomorrow else SLOT_TODAY) % self.values
                body = f"{said} {STOP_HINT}"
            template = {"name": self.template, "language": language,
                        "params": [body]} if self.template else None
            self.done[language] = (body, template)
        return self.done[language]
