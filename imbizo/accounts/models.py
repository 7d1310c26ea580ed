"""Residents (identified by phone), staff memberships and consent records."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from imbizo.core.models import MunicipalModel, TimeStampedModel
from imbizo.core.permissions import Role


class Channel(models.TextChoices):
    USSD = "ussd", "USSD"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    WEB = "web", _("Web")
    WEBPUSH = "webpush", _("Notifications on this phone (web)")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone call (agent)")
    API = "api", "API"
    CLI = "cli", _("Command line")
    SYSTEM = "system", _("System")


class Citizen(TimeStampedModel):
    """A resident. One phone number is one person across the whole platform."""

    # Null once erased: unique, and the number may come back as a new resident.
    phone = models.CharField(max_length=16, unique=True, null=True,  # noqa: DJ001
                             help_text="E.164, e.g. +27821234567")
    name = models.CharField(max_length=200, blank=True)
    id_number = models.CharField(max_length=13, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices,
                                         default=Channel.SMS)
    municipality = models.ForeignKey(
        "geo.Municipality", null=True, blank=True, on_delete=models.PROTECT,
        related_name="citizens", help_text="Home municipality: which staff may see this record.",
    )
    ward = models.ForeignKey("geo.Ward", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="citizens")
    erased = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["municipality", "ward"])]

    def __str__(self) -> str:
        return self.name or self.phone or str(_("erased resident"))


class ChannelAddress(TimeStampedModel):
    """How a resident is reached on one channel: their number on SMS and WhatsApp, their
    user id on Telegram (linked to a resident once they share their phone number).

    Kept per channel because each has its own state: an SMS opt-out (STOP) silences SMS
    only; WhatsApp allows free-form messages only within 24 hours of the resident's last
    message (``last_inbound``)."""

    citizen = models.ForeignKey(Citizen, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="addresses")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=64)
    opted_out = models.DateTimeField(null=True, blank=True)
    last_inbound = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="unique_channel_address"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}"


class Consent(TimeStampedModel):
    """POPIA: what a resident agreed to, when, over which channel; and if withdrawn."""

    class Purpose(models.TextChoices):
        SERVICE = "service", _("Handling my reports and requests")
        NOTIFICATIONS = "notifications", _("Messages about my reports")
        BROADCASTS = "broadcasts", _("News, outages and alerts for my area")
        BILLING = "billing", _("My municipal account and bills")

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    given = models.DateTimeField()
    withdrawn = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["citizen", "purpose"],
                                    condition=models.Q(withdrawn__isnull=True),
                                    name="one_active_consent_per_purpose"),
        ]


class Department(MunicipalModel):
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["municipality__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="unique_department"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality.code})"


class Membership(TimeStampedModel):
    """A staff user's role in one municipality (or, for platform roles, all of them),
    narrowed to a department or ward where the role calls for it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    municipality = models.ForeignKey("geo.Municipality", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="memberships")
    ward = models.ForeignKey("geo.Ward", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="memberships")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["platform_admin", "analyst"])
                | models.Q(municipality__isnull=False),
                name="municipal_roles_need_a_municipality",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="councillor") | models.Q(ward__isnull=False),
                name="councillors_have_a_ward",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality", "department", "ward"],
                name="unique_membership",
            ),
        ]

    def __str__(self) -> str:
        where = self.municipality.code if self.municipality_id else "all municipalities"
        return f"{self.user} as {self.get_role_display()} in {where}"


class PhoneChallenge(models.Model):
    """A one-time PIN sent to a phone for signing in on the web (accounts/otp.py).

    Only a keyed hash of the code is kept; the client's address is kept hashed too, to
    count requests per client without storing who they were."""

    phone = models.CharField(max_length=16, help_text="E.164")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    code_hash = models.CharField(max_length=64)
    client_hash = models.CharField(max_length=64)
    created = models.DateTimeField()
    expires = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "-created"]),
                   models.Index(fields=["client_hash", "-created"])]

    def __str__(self) -> str:
        return f"PIN for {self.phone[:-4]}…"


class SignInFailure(models.Model):
    """One wrong PIN, kept for the lockout after repeated failures on a number."""

    phone = models.CharField(max_length=16)
    created = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["phone", "-created"])]

    def __str__(self) -> str:
        return f"wrong PIN at {self.created:%H:%M}"
