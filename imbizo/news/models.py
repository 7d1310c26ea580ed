"""News items and broadcasts, the interest groups residents join, and who read what.

A news item is written by staff in English, with versions in other languages if they
add them; a resident is shown (and sent) their language's version, else the English.
Its target says which residents it is for: the whole municipality, some wards, some
suburbs (``Ward.suburbs``), a zone drawn on a map, or an interest group. Suburbs and
zones are resolved to the wards they lie in when the item is written and kept in
``wards``, since a resident is placed by their home ward (docs/news.md, "Targets").

A broadcast is also sent to those residents, through the outbox. Its messages hold
``news:<uuid>:<resident id>`` as their dedupe key, so the outbox itself says what was
delivered, and no resident is sent it twice; the item keeps the sending task's place
(``cursor``) and how many were queued or skipped.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from imbizo.core.models import MunicipalModel

TITLE_MAX, SHORT_MAX, BODY_MAX = 120, 160, 4000
# The languages an author may add a version in; English is the item's own fields.
VERSION_LANGUAGES = ("zu", "xh", "af", "st", "tn")


class InterestGroup(MunicipalModel):
    """A topic residents join to be told about it ("Water outages", "Youth jobs")."""

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "name"],
                                               name="news_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """A resident in a group, from ``joined`` until ``left``: joining is their consent to
    the group's messages, recorded with the channel they joined on (docs/news.md)."""

    group = models.ForeignKey(InterestGroup, on_delete=models.CASCADE,
                              related_name="memberships", db_index=False)
    citizen = models.ForeignKey("accounts.Citizen", on_delete=models.CASCADE,
                                related_name="news_memberships")
    channel = models.CharField(max_length=10)
    joined = models.DateTimeField()
    left = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Also the fan-out's index: a group's members in resident order.
            models.UniqueConstraint(fields=["group", "citizen"], condition=Q(left__isnull=True),
                                    name="news_one_active_membership"),
        ]

    def __str__(self) -> str:
        return f"Membership of group {self.group_id}"


class NewsItem(MunicipalModel):
    class Kind(models.TextChoices):
        NEWS = "news", _("News on the site")
        BROADCAST = "broadcast", _("Broadcast: also sent to residents")

    class Target(models.TextChoices):
        MUNICIPALITY = "municipality", _("The whole municipality")
        WARDS = "wards", _("Wards")
        SUBURBS = "suburbs", _("Suburbs")
        ZONE = "zone", _("A zone on the map")
        GROUP = "group", _("An interest group")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(max_length=BODY_MAX)
    short = models.CharField(max_length=SHORT_MAX,
                             help_text="The SMS and USSD text: one SMS long.")
    # {"zu": {"title": ..., "body": ..., "short": ...}, ...}: the author's other versions.
    translations = models.JSONField(default=dict, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEWS)
    urgent = models.BooleanField(default=False, help_text="An emergency: sent at once, "
                                                          "even in the quiet hours.")
    target = models.CharField(max_length=12, choices=Target.choices,
                              default=Target.MUNICIPALITY)
    wards = models.ManyToManyField("geo.Ward", blank=True, related_name="+",
                                   help_text="The wards targeted, or those the suburbs or "
                                             "zone lie in.")
    suburbs = models.JSONField(default=list, blank=True)
    zone = models.JSONField(null=True, blank=True, help_text="A GeoJSON polygon.")
    group = models.ForeignKey(InterestGroup, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="news")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(null=True, blank=True, help_text="When it is scheduled.")
    published = models.DateTimeField(null=True, blank=True, help_text="When it went out.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    cursor = models.BigIntegerField(default=0, help_text="The last resident id sent to: "
                                                         "the sending task's place.")
    queued = models.PositiveIntegerField(default=0, help_text="Messages queued.")
    skipped = models.PositiveIntegerField(default=0, help_text="Residents no channel reaches "
                                                               "(opted out, no address).")
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["municipality", "status", "-published"],
                         name="news_public_list"),
            models.Index(fields=["municipality", "-created"], name="news_staff_list"),
        ]

    def __str__(self) -> str:
        return self.title

    PUBLISHED = (Status.SENDING, Status.SENT)

    @property
    def is_published(self) -> bool:
        return self.status in self.PUBLISHED

    def text_in(self, language: str) -> tuple[str, str, str]:
        """(title, body, short) in ``language`` if the author wrote that version, else
        in English."""
        version = self.translations.get(language)
        if version:
            return version["title"], version["body"], version["short"]
        return self.title, self.body, self.short


class NewsRead(models.Model):
    """A resident opened an item (on the site, or picked it on USSD or WhatsApp): the
    "read" figure. The outbox's receipts say delivered, not read."""

    news = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="reads",
                             db_index=False)
    citizen = models.ForeignKey("accounts.Citizen", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=10)
    read = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["news", "citizen"],
                                               name="news_read_once")]

    def __str__(self) -> str:
        return f"Read of news {self.news_id}"
