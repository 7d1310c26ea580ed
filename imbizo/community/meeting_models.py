"""Community meetings: where and when, for which wards (or the whole municipality), and
who said they would come (docs/community.md, "Meetings")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from imbizo.core.models import MunicipalModel, TimeStampedModel

TITLE_MAX, VENUE_MAX, AGENDA_MAX, REASON_MAX = 120, 200, 2000, 300


class Meeting(MunicipalModel):
    """A community meeting announced to the residents of some wards of a municipality, or
    of all of it (``whole_municipality``). ``zone`` is the area the organiser drew, as a
    GeoJSON geometry (WGS84); the wards it touches are among ``wards``."""

    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("Announced")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(max_length=TITLE_MAX)
    whole_municipality = models.BooleanField(default=False)
    wards = models.ManyToManyField("geo.Ward", through="MeetingWard", related_name="+")
    zone = models.JSONField(null=True, blank=True)
    venue = models.CharField(max_length=VENUE_MAX)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    agenda = models.TextField(max_length=AGENDA_MAX, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ANNOUNCED)
    cancelled = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=REASON_MAX, blank=True)

    class Meta:
        ordering = ["starts", "pk"]
        indexes = [
            # The upcoming meetings of a municipality (the API, the site, the flows).
            models.Index(fields=["municipality", "status", "ends"],
                         name="community_meeting_upcoming"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends__gt=models.F("starts")),
                                   name="community_meeting_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class MeetingWard(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    ward = models.ForeignKey("geo.Ward", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "ward"],
                                               name="community_meeting_ward_once")]
        # (meeting, ward) is the unique index; a ward's meetings need their own.
        indexes = [models.Index(fields=["ward", "meeting"], name="community_ward_meetings")]

    def __str__(self) -> str:
        return f"{self.meeting_id} ward {self.ward_id}"


class Rsvp(TimeStampedModel):
    """A resident's answer to a meeting, one per resident, changeable until it starts.
    ``citizen`` is emptied by an erasure: the answer still counts, no longer whose."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        MAYBE = "maybe", _("Maybe")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    citizen = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    answer = models.CharField(max_length=5, choices=Answer.choices)
    channel = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "citizen"],
                                    condition=models.Q(citizen__isnull=False),
                                    name="community_one_rsvp_per_resident"),
        ]
        indexes = [models.Index(fields=["meeting", "answer"], name="community_rsvp_answer"),
                   models.Index(fields=["citizen"], name="community_rsvp_citizen")]


class MeetingNotice(models.Model):
    """The messages about a meeting sent in batches (notifications/community.py): to the
    residents of its wards when announced, to those who said they would come when it is
    cancelled or the day before. ``cursor`` is the last resident (announce) or answer
    (cancel, remind) done, so a task run twice never sends twice."""

    class Kind(models.TextChoices):
        ANNOUNCE = "announce", _("Announcement")
        CANCEL = "cancel", _("Cancellation")
        REMIND = "remind", _("Reminder")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    cursor = models.BigIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "kind"],
                                               name="community_one_notice_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} of meeting {self.meeting_id}"
