"""Load-shedding areas, their schedules (slots of a repeating cycle) and the stage history.

An area's schedule is a cycle of days (a month, a week, or N days from a start date);
each slot is a span of one day of the cycle with the lowest stage at which it is shed.
Stages are cumulative: at stage N every slot of stages 1 to N is in force. The stage in
force at a moment is the latest ``StageChange`` at or before it, national or of the
municipality that runs the area's own schedule (docs/loadshedding.md).
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from imbizo.core.models import TimeStampedModel

MAX_STAGE = 8
MINUTES_A_DAY = 24 * 60


class Area(TimeStampedModel):
    """One schedule: a calendar of the eskom-calendar data (or a municipality's own)."""

    class Cycle(models.TextChoices):
        MONTHLY = "monthly", "Day of the month (1-31)"
        WEEKLY = "weekly", "Day of the week (1 = Monday)"
        PERIODIC = "periodic", "Day of a cycle of N days from a start date"

    key = models.CharField(max_length=120, unique=True,
                           help_text="The calendar's file name without .csv (or .ics).")
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=64, blank=True,
                                help_text="Who sheds it: eskom, city-of-cape-town, ...")
    province = models.CharField(max_length=64, blank=True,
                                help_text="The metadata's province slug; blank if several.")
    municipality = models.ForeignKey(
        "geo.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The municipality that runs this schedule, whose own stage applies; "
                  "empty for Eskom's direct customers (the national stage).")
    cycle = models.CharField(max_length=10, choices=Cycle.choices, default=Cycle.MONTHLY)
    cycle_days = models.PositiveSmallIntegerField(default=31)
    cycle_start = models.DateField(null=True, blank=True,
                                   help_text="A periodic cycle's day 1.")
    has_schedule = models.BooleanField(default=True,
                                       help_text="False: listed in the metadata, no slots.")
    source = models.CharField(max_length=500, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(condition=Q(cycle_days__gte=1), name="area_cycle_has_days"),
        ]

    def __str__(self) -> str:
        return self.name


class AreaMunicipality(models.Model):
    """A municipality the area covers, as the metadata names it (``slug``), and the
    ``geo.Municipality`` that name was matched to, if one is loaded."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="coverage",
                             db_index=False)  # the unique constraint leads with it
    slug = models.CharField(max_length=100)
    province = models.CharField(max_length=64, blank=True)
    municipality = models.ForeignKey("geo.Municipality", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "province", "slug"],
                                    name="area_municipality_once"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.slug}"


class AreaSuburb(models.Model):
    """A suburb or place the area covers; ``normalised`` (names.normalise) is searched."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="suburbs",
                             db_index=False)
    name = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "normalised"], name="area_suburb_once"),
        ]
        indexes = [
            # Prefix search (LIKE 'x%') on PostgreSQL whatever the collation; plain elsewhere.
            models.Index(fields=["normalised"], name="ls_suburb_normalised",
                         opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name


class Slot(models.Model):
    """A span of one day of the area's cycle, shed from ``stage`` upwards. ``start`` and
    ``end`` are minutes after that day's midnight; an ``end`` past 1440 runs into the next
    day (22:00-00:30 is 1320-1470)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="slots",
                             db_index=False)
    day = models.PositiveSmallIntegerField()
    start = models.PositiveSmallIntegerField()
    end = models.PositiveSmallIntegerField()
    stage = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["area", "day", "start"]
        constraints = [
            models.UniqueConstraint(fields=["area", "day", "start", "end"], name="slot_once"),
            models.CheckConstraint(
                condition=Q(day__gte=1, start__lt=MINUTES_A_DAY, end__gt=models.F("start"),
                            end__lte=models.F("start") + MINUTES_A_DAY,
                            stage__gte=1, stage__lte=MAX_STAGE),
                name="slot_in_range"),
        ]

    def __str__(self) -> str:
        return f"day {self.day} {self.start}-{self.end} from stage {self.stage}"


class StageChange(TimeStampedModel):
    """From ``at`` on, ``stage`` is in force nationally (no municipality) or for the areas
    whose schedule ``municipality`` runs itself, until a later change of either."""

    class Source(models.TextChoices):
        IMPORT = "import", "Imported stage history"
        STAFF = "staff", "Set by staff"

    at = models.DateTimeField()
    stage = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_STAGE)],
                                             help_text="0 (suspended) to 8.")
    municipality = models.ForeignKey("geo.Municipality", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     help_text="Empty: the national stage.")
    source = models.CharField(max_length=8, choices=Source.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__lte=MAX_STAGE), name="stage_in_range"),
            models.UniqueConstraint(fields=["at"], condition=Q(municipality__isnull=True),
                                    name="one_national_change_a_moment"),
            models.UniqueConstraint(fields=["municipality", "at"],
                                    condition=Q(municipality__isnull=False),
                                    name="one_municipal_change_a_moment"),
        ]

    def __str__(self) -> str:
        return f"stage {self.stage} from {self.at:%Y-%m-%d %H:%M}"


class ScheduleVersion(models.Model):
    """One row, bumped by every import and stage change, so that each process's memo of
    schedules and stages (memo.py) knows when to reload."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveIntegerField(default=0)
    changed = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"schedules version {self.version}"


class Subscription(models.Model):
    """A resident follows an area: alerts before its outages and when its stage changes
    (notifications/loadshedding.py). A resident follows at most a few areas
    (``subscriptions.MAX_AREAS``)."""

    citizen = models.ForeignKey("accounts.Citizen", on_delete=models.CASCADE,
                                related_name="loadshedding_subscriptions",
                                db_index=False)  # the unique constraint leads with it
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="subscriptions",
                             db_index=False)  # the fan-out's index below leads with it
    created = models.DateTimeField()

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["citizen", "area"], name="subscription_once"),
        ]
        indexes = [
            # An area's subscribers in resident order: the fan-out's batches.
            models.Index(fields=["area", "citizen"], name="ls_subscription_fanout"),
        ]

    def __str__(self) -> str:
        return f"{self.citizen_id} follows {self.area_id}"


class AlertPlan(models.Model):
    """The one live chain of slot alerts of an area (a task for ``next_at``). Restarting
    the chain bumps ``version``: a task of an older version, or one not due at
    ``next_at``, is stale and exits, so a chain is never doubled."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, primary_key=True,
                                related_name="alert_plan")
    version = models.PositiveIntegerField(default=0)
    next_at = models.DateTimeField(null=True, blank=True,
                                   help_text="Empty: no chain runs (no subscribers).")
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"alerts of {self.area_id} v{self.version} next {self.next_at}"


class AlertRun(models.Model):
    """One fan-out of alerts (a stage change's, or a slot's), and how far it got:
    ``cursor`` is the last resident id done, so a copy of its task, or one run again after
    its worker died, goes on from there. ``key`` names it once."""

    key = models.CharField(max_length=120, unique=True)
    change = models.ForeignKey(StageChange, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    stage = models.PositiveSmallIntegerField(default=0)
    scope_municipality = models.ForeignKey(
        "geo.Municipality", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="A stage change's: the areas that municipality runs; empty: every area.")
    areas = models.JSONField(null=True, blank=True,
                             help_text="Only the subscribers of these area ids (a slot's, "
                                       "or a night change's areas shed before 07:00).")
    slot_start = models.DateTimeField(null=True, blank=True)
    slot_end = models.DateTimeField(null=True, blank=True)
    cursor = models.BigIntegerField(default=0)
    until = models.BigIntegerField(null=True, blank=True,
                                   help_text="Residents up to this id (a shard); empty: all.")
    queued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key
