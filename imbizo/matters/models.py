"""Matters: an issue or a suggestion a resident raises with the councillor of a ward, its
history, and the support of neighbours for a public suggestion (docs/matters.md)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from imbizo.accounts.models import Channel
from imbizo.core.models import MunicipalModel
from imbizo.geo.counters import MonthCounter


class Kind(models.TextChoices):
    ISSUE = "issue", _("Issue")
    SUGGESTION = "suggestion", _("Suggestion")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ANSWERED = "answered", _("Answered")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.ANSWERED, Status.REFERRED)


class Matter(MunicipalModel):
    """One matter. ``citizen`` is emptied when the resident is erased; the matter stays,
    without their words, as the record of what the councillor did."""

    reference = models.CharField(max_length=24, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    ward = models.ForeignKey("geo.Ward", on_delete=models.PROTECT, related_name="matters")
    citizen = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="matters")
    title = models.CharField(max_length=120)
    text = models.TextField()
    public = models.BooleanField(default=False, help_text="Neighbours see its words and may "
                                                          "support it (suggestions).")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(max_length=10, choices=Channel.choices,
                               help_text="Where it was raised: the answer goes back there.")
    raised_via = models.CharField(max_length=64, blank=True,
                                  help_text="The key or staff member who raised it for the "
                                            "resident, who may read it back.")
    ack_due = models.DateTimeField(help_text="Acknowledge by then (working time).")
    acknowledged = models.DateTimeField(null=True, blank=True)
    ack_overdue = models.BooleanField(default=False)
    answer = models.TextField(blank=True, help_text="The councillor's latest public answer.")
    answered = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="matters", help_text="Referred to a department as.")
    closed = models.DateTimeField(null=True, blank=True)
    support_count = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True,
                                       editable=False)

    class Meta:
        ordering = ["-created"]
        indexes = [
            # The councillor's queue and the ward's public list (by status, then kind).
            models.Index(fields=["ward", "status", "-created"]),
            models.Index(fields=["ward", "kind", "status"]),
            # A manager's view of the municipality.
            models.Index(fields=["municipality", "status", "-created"]),
            models.Index(fields=["municipality", "kind", "status"]),
            # A resident's own.
            models.Index(fields=["citizen", "-created"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="matter_kind_known"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class MatterUpdate(models.Model):
    """A matter's history: each change of status (with the councillor's public answer or
    note) and the missed acknowledgement, which only staff see."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        OVERDUE = "overdue", _("Not acknowledged in time")

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="updates")
    created = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATUS)
    actor = models.CharField(max_length=200)
    author = models.CharField(max_length=120, blank=True, help_text="Shown to the resident.")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    text = models.TextField(blank=True, help_text="Public: the resident is told it.")

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["matter", "created"])]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.kind} {self.to_status}"

    @property
    def public(self) -> bool:
        return self.kind == self.Kind.STATUS


class Support(models.Model):
    """A neighbour's support for a public suggestion: once per resident."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="supports")
    citizen = models.ForeignKey("accounts.Citizen", on_delete=models.CASCADE,
                                related_name="matter_supports")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["matter", "citizen"],
                                               name="one_support_per_resident")]
        indexes = [models.Index(fields=["citizen", "created"])]

    def __str__(self) -> str:
        return f"{self.matter_id} supported"


class MatterCounter(MonthCounter):
    """The last matter number issued per municipality and month (geo/counters.py)."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "period"],
                                               name="one_matter_counter_per_month")]
