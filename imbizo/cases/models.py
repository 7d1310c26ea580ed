"""Categories, routing, cases and their history: the municipality's incident register."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from imbizo.accounts.models import Channel
from imbizo.core.models import MunicipalModel
from imbizo.geo.counters import MonthCounter


class Priority(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class Status(models.TextChoices):
    LOGGED = "logged", _("Logged")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (Status.LOGGED, Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD,
                 Status.REOPENED)


class Category(MunicipalModel):
    """What a resident can report; a tree per municipality. ``code`` is the Open311
    service_code. Groups (no department) only hold children."""

    class Calendar(models.TextChoices):
        BUSINESS = "business", _("Working hours")
        CALENDAR = "calendar", _("Around the clock")

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    keywords = models.CharField(max_length=200, blank=True)
    department = models.ForeignKey("accounts.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="categories")
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    ack_hours = models.DecimalField(max_digits=6, decimal_places=2, default=8)
    resolve_hours = models.DecimalField(max_digits=7, decimal_places=2, default=72)
    calendar = models.CharField(max_length=10, choices=Calendar.choices,
                                default=Calendar.BUSINESS)
    fields = models.JSONField(default=list, blank=True,
                              help_text='Extra questions: [{"code", "label", "required", '
                                        '"datatype": "string|number|text|singlevaluelist", '
                                        '"values": [...]}]')
    photo_required = models.BooleanField(default=False)
    location_required = models.BooleanField(default=True)
    duplicate_radius_m = models.PositiveIntegerField(default=100)
    public = models.BooleanField(default=True, help_text="Cases are listed publicly (Open311).")
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["municipality__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="unique_category_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_group(self) -> bool:
        return self.department_id is None


class Team(MunicipalModel):
    department = models.ForeignKey("accounts.Department", on_delete=models.CASCADE,
                                   related_name="teams")
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "name"],
                                               name="unique_team_name")]

    def __str__(self) -> str:
        return self.name


class RoutingRule(MunicipalModel):
    """Who gets a new case. The most specific active rule wins: category and ward
    before category alone before ward alone before the municipality's fallback; a rule
    limited to after hours applies only outside working hours."""

    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="routing_rules")
    ward = models.ForeignKey("geo.Ward", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="routing_rules")
    after_hours_only = models.BooleanField(default=False)
    department = models.ForeignKey("accounts.Department", on_delete=models.CASCADE,
                                   related_name="routing_rules")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.category or 'any category'} / {self.ward or 'any ward'} → {self.department}"


class EscalationStep(MunicipalModel):
    """One rung of a department's escalation ladder after a case breaches its SLA:
    level 1 at the breach, each next level ``after_hours`` (calendar) after the one before."""

    department = models.ForeignKey("accounts.Department", on_delete=models.CASCADE,
                                   related_name="escalation_steps")
    level = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20)
    department_only = models.BooleanField(
        default=True, help_text="Only holders of the role in this department (else anywhere "
                                "in the municipality, e.g. the municipal manager).")
    after_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0)

    class Meta:
        ordering = ["department", "level"]
        constraints = [models.UniqueConstraint(fields=["department", "level"],
                                               name="one_step_per_level")]

    def __str__(self) -> str:
        return f"{self.department_id} level {self.level}: {self.role}"


class Case(MunicipalModel):
    reference = models.CharField(max_length=24, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases")
    description = models.TextField()
    extra = models.JSONField(default=dict, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    address = models.CharField(max_length=250, blank=True)
    ward = models.ForeignKey("geo.Ward", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="cases")
    reporter = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="cases")
    contact_name = models.CharField(max_length=120, blank=True)
    contact_phone = models.CharField(max_length=16, blank=True)
    contact_email = models.EmailField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.LOGGED)
    department = models.ForeignKey("accounts.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="cases")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_cases")
    version = models.PositiveIntegerField(default=1)
    public = models.BooleanField(default=True)
    # Service levels: deadlines move when the clock pauses (on hold) and resumes.
    ack_due = models.DateTimeField(null=True, blank=True)
    resolve_due = models.DateTimeField(null=True, blank=True)
    acknowledged = models.DateTimeField(null=True, blank=True)
    paused = models.DateTimeField(null=True, blank=True)
    resolved = models.DateTimeField(null=True, blank=True)
    closed = models.DateTimeField(null=True, blank=True)
    ack_breached = models.BooleanField(default=False)
    resolve_breached = models.BooleanField(default=False)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # Duplicates and outcome.
    affected_count = models.PositiveIntegerField(default=1)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged")
    rejection_reason = models.CharField(max_length=20, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True,
                                       editable=False)

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["municipality", "status", "-created"]),
            models.Index(fields=["municipality", "department", "status", "-created"]),
            models.Index(fields=["municipality", "ward", "status", "-created"]),
            models.Index(fields=["municipality", "category", "status", "-created"]),
            models.Index(fields=["assignee", "status", "-created"]),
            # The console's queue filters by priority, and "my queue" by team.
            models.Index(fields=["municipality", "priority", "status", "-created"]),
            models.Index(fields=["team", "status", "-created"]),
            models.Index(fields=["municipality", "-created"]),
            models.Index(fields=["resolve_due"], condition=Q(status__in=OPEN_STATUSES),
                         name="open_case_resolve_due"),
            # A resident's export and erasure find reports left with their number or
            # address (cases/privacy.py); most cases have neither, so the indexes are small.
            models.Index(fields=["contact_phone"], condition=~Q(contact_phone=""),
                         name="case_contact_phone"),
            models.Index(Upper("contact_email"), condition=~Q(contact_email=""),
                         name="case_contact_email"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="rating_one_to_five"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseUpdate(models.Model):
    """The case's history: status changes, public updates and internal notes."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        PUBLIC = "public", _("Public update")
        INTERNAL = "internal", _("Internal note")
        ASSIGNMENT = "assignment", _("Assignment")
        ESCALATION = "escalation", _("Escalation")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="updates")
    created = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.CharField(max_length=200)
    author = models.CharField(max_length=120, blank=True, help_text="Shown to residents.")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            models.Index(fields=["case", "created"]),
            # A resident's own words, for their export and erasure (cases/privacy.py).
            models.Index(fields=["actor"], condition=Q(actor__startswith="citizen:"),
                         name="caseupdate_by_resident"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    @property
    def public(self) -> bool:
        return self.kind in (self.Kind.STATUS, self.Kind.PUBLIC)


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"cases/{instance.case.municipality.code}/{instance.case.uuid}/{filename}"


class Attachment(models.Model):
    """A photo, re-encoded without metadata; never the bytes the sender uploaded."""

    uuid = models.UUIDField(unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    image = models.FileField(upload_to=attachment_path)
    thumbnail = models.FileField(upload_to=attachment_path)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    actor = models.CharField(max_length=200)
    public = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "sha256"],
                                               name="one_copy_of_a_photo_per_case")]
        indexes = [models.Index(fields=["actor"], condition=Q(actor__startswith="citizen:"),
                                name="attachment_by_resident")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.uuid}"


class Subscription(models.Model):
    """A resident who hears about every public change of a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subscriptions")
    citizen = models.ForeignKey("accounts.Citizen", on_delete=models.CASCADE,
                                related_name="case_subscriptions")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "citizen"],
                                               name="one_subscription_per_resident")]

    def __str__(self) -> str:
        return f"{self.citizen_id} → {self.case_id}"


class WorkOrder(MunicipalModel):
    """Work sent to a contractor. Completion moves the case on only after sign-off."""

    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")
        SIGNED_OFF = "signed_off", _("Signed off")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="work_orders")
    number = models.PositiveSmallIntegerField()
    contractor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="work_orders")
    scope = models.TextField()
    due = models.DateField()
    estimate = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.ISSUED)
    completed = models.DateTimeField(null=True, blank=True)
    signed_off = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "number"]
        indexes = [models.Index(fields=["contractor", "state", "due"])]
        constraints = [models.UniqueConstraint(fields=["case", "number"],
                                               name="unique_work_order_number")]

    def __str__(self) -> str:
        return f"{self.case.reference}/W{self.number}"


class WorkOrderNote(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="notes")
    actor = models.CharField(max_length=200)
    author = models.CharField(max_length=120)
    text = models.TextField(blank=True)
    photo = models.FileField(upload_to="workorders/", blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.created:%Y-%m-%d}"


class ReferenceCounter(MonthCounter):
    """The last case number issued per municipality and month (geo/counters.py)."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "period"],
                                               name="one_counter_per_month")]
