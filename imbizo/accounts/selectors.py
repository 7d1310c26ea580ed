"""Reads of residents and staff structure, scoped to the actor."""

from django.db.models import QuerySet

from imbizo.core.errors import NotFound
from imbizo.core.permissions import Actor, scope

from .models import ChannelAddress, Citizen, Consent, Department, Membership


def citizen_list(*, actor: Actor) -> QuerySet[Citizen]:
    """Residents whose personal data the actor may see (never an analyst's)."""
    qs = Citizen.objects.filter(erased__isnull=True).select_related("municipality", "ward")
    return scope(actor, qs, "citizen.view", ward_field="ward")


def access_citizen(actor: Actor, uuid) -> Citizen:
    citizen = citizen_list(actor=actor).filter(uuid=uuid).first()
    if citizen is None:
        raise NotFound("citizen_not_found", "No such resident.")
    return citizen


def department_list(*, actor: Actor) -> QuerySet[Department]:
    """Departments of every municipality the actor works in (names only; not personal)."""
    qs = Department.objects.select_related("municipality")
    if actor.is_global("case.view"):
        return qs
    return qs.filter(municipality_id__in=actor.municipality_ids("case.view"))


def membership_list(*, actor: Actor) -> QuerySet[Membership]:
    return scope(actor, Membership.objects.select_related("user", "municipality"),
                 "membership.manage")


# Channels that carry no notifications: a USSD session cannot be pushed to, and the
# web chat only answers while the resident is on the page.
NOT_NOTIFYING = ("ussd", "web")


def citizen_channels(*, actor: Actor, citizen: Citizen) -> list[tuple[str, str, bool]]:
    """(channel, address, opted out) for each channel that can message the resident:
    their number on SMS and WhatsApp, their e-mail, and addresses linked to them (a
    Telegram chat). For their own profile, or staff who may see them; one query."""
    if not (actor.kind == "citizen" and actor.citizen.pk == citizen.pk):
        access_citizen(actor, citizen.uuid)
    rows = ChannelAddress.objects.filter(citizen=citizen).exclude(
        channel__in=(*NOT_NOTIFYING, "sms", "whatsapp", "email"))  # these: by the record's
    if citizen.phone:
        rows = rows | ChannelAddress.objects.filter(channel__in=("sms", "whatsapp"),
                                                    address=citizen.phone)
    if citizen.email:
        rows = rows | ChannelAddress.objects.filter(channel="email", address=citizen.email)
    held = {(a.channel, a.address): bool(a.opted_out) for a in rows.order_by("channel", "pk")}
    own = [(c, a) for c, a in (("sms", citizen.phone), ("whatsapp", citizen.phone),
                               ("email", citizen.email)) if a]
    for channel, address in own:
        held.setdefault((channel, address), False)
    order = {"sms": 0, "whatsapp": 1, "email": 2}
    return sorted(((c, a, out) for (c, a), out in held.items()),
                  key=lambda row: (order.get(row[0], 3), row[0], row[1]))


def consent_list(*, actor: Actor, citizen: Citizen) -> QuerySet[Consent]:
    """The resident's consent records, newest first: given, and withdrawn if so."""
    if not (actor.kind == "citizen" and actor.citizen.pk == citizen.pk):
        access_citizen(actor, citizen.uuid)
    return Consent.objects.filter(citizen=citizen).order_by("-given", "-pk")
