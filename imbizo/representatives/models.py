"""Who represents a resident, as the municipality publishes it: ward councillors,
proportional-representation (PR) councillors, ward committee members, and the traditional
council of each traditional authority (``geo.TraditionalAuthority``) with its leader and
members.

Rows come from ``imbizo import-representatives`` (importer.py). Each person's import key
keeps their record, and so its public uuid (which addresses the photo), across imports.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from imbizo.core.models import MunicipalModel, TimeStampedModel


class Kind(models.TextChoices):
    WARD_COUNCILLOR = "ward_councillor", _("Ward councillor")
    PR_COUNCILLOR = "pr_councillor", _("PR councillor")
    COMMITTEE_MEMBER = "committee_member", _("Ward committee member")
    TRADITIONAL_LEADER = "traditional_leader", _("Traditional leader")
    TRADITIONAL_MEMBER = "traditional_member", _("Traditional council member")


WARD_KINDS = (Kind.WARD_COUNCILLOR, Kind.COMMITTEE_MEMBER)
TRADITIONAL_KINDS = (Kind.TRADITIONAL_LEADER, Kind.TRADITIONAL_MEMBER)


class Contact(models.Model):
    """What a municipality publishes to reach someone: phone, e-mail, office and hours."""

    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    email = models.EmailField(blank=True)
    office = models.TextField(blank=True, help_text="Office or seat, as an address.")
    hours = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class TraditionalCouncil(TimeStampedModel, Contact):
    """The council of a traditional authority: its name, seat and contact. Its leader and
    members are ``Representative`` rows pointing at it."""

    authority = models.OneToOneField("geo.TraditionalAuthority", on_delete=models.PROTECT,
                                     related_name="council")
    name = models.CharField(max_length=200, blank=True,
                            help_text="Blank: the authority's own name.")

    def __str__(self) -> str:
        return self.name or str(self.authority)

    @property
    def display_name(self) -> str:
        return self.name or self.authority.name


class Representative(MunicipalModel, Contact):
    """One person who represents residents. ``municipality`` is the municipality that
    publishes the record (for a traditional leader or member too: it scopes who may
    change it)."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200, help_text="The import's stable key for this person.")
    ward = models.ForeignKey("geo.Ward", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="representatives")
    council = models.ForeignKey(TraditionalCouncil, null=True, blank=True,
                                on_delete=models.CASCADE, related_name="people")
    title = models.CharField(max_length=40, blank=True, help_text="Cllr, Inkosi, Kgosi ...")
    name = models.CharField(max_length=200)
    position = models.CharField(max_length=120, blank=True,
                                help_text="Speaker, Mayor, a committee portfolio ...")
    party = models.CharField(max_length=120, blank=True)
    photo = models.FileField(upload_to="representatives/", blank=True, max_length=200)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    photo_url = models.URLField(blank=True, help_text="A photo the municipality hosts (https).")
    term_start = models.DateField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="representative_records",
                             help_text="This councillor's console login, if they have one.")

    class Meta:
        ordering = ["municipality_id", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=WARD_KINDS, ward__isnull=False)
                | (~Q(kind__in=WARD_KINDS) & Q(ward__isnull=True)),
                name="representative_ward_only_for_ward_kinds"),
            models.CheckConstraint(
                condition=Q(kind__in=TRADITIONAL_KINDS, council__isnull=False)
                | (~Q(kind__in=TRADITIONAL_KINDS) & Q(council__isnull=True)),
                name="representative_council_only_for_traditional_kinds"),
            models.UniqueConstraint(fields=["municipality", "key"], condition=Q(council=None),
                                    name="unique_municipal_representative_key"),
            models.UniqueConstraint(fields=["council", "key"], condition=~Q(council=None),
                                    name="unique_traditional_representative_key"),
            models.UniqueConstraint(fields=["ward"], condition=Q(kind="ward_councillor",
                                                                 active=True),
                                    name="one_sitting_councillor_per_ward"),
            models.UniqueConstraint(fields=["council"], condition=Q(kind="traditional_leader",
                                                                    active=True),
                                    name="one_leader_per_traditional_council"),
        ]
        indexes = [
            models.Index(fields=["ward", "active"], name="representative_ward"),
            models.Index(fields=["municipality", "kind", "active"],
                         name="representative_municipality"),
            models.Index(fields=["council", "active"], name="representative_council"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
