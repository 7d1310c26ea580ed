"""Every write to residents, consent and staff memberships."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.changes import fields_assign, row_locked
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.permissions import GLOBAL_ROLES, Actor, require
from imbizo.geo.models import Municipality, Ward

from .idnumber import parse_id_number
from .models import ChannelAddress, Citizen, Consent, Department, Membership, Role
from .phone import normalise_phone
from .privacy import PARTS, export_within, may_act_for


def _audit(actor: Actor, action: str, obj, municipality: Municipality | None, changes=None):
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=obj,
                 municipality_code=municipality.code if municipality else "",
                 changes=changes or {})




def _on_field(field: str, check, value):
    """A check's refusal, naming the field it refused (for a form to show it there)."""
    try:
        return check(value)
    except ImbizoError as exc:
        exc.extra.setdefault("field", field)
        raise


@transaction.atomic
def citizen_register(*, actor: Actor, phone: str, name: str = "", id_number: str = "",
                     language: str = "en", municipality: Municipality | None = None,
                     ward: Ward | None = None, email: str = "",
                     preferred_channel: str | None = None) -> Citizen:
    """Find or create the resident behind a phone number; idempotent per number.

    Residents register themselves on any channel; staff register callers.
    """
    e164 = normalise_phone(phone)
    if id_number:
        id_number = parse_id_number(id_number).number
    if ward and municipality and ward.municipality_id != municipality.pk:
        raise ImbizoError("ward_not_in_municipality",
                          _("Ward %(ward)s is not in %(muni)s.")
                          % {"ward": ward.number, "muni": municipality.name})
    municipality = municipality or (ward.municipality if ward else None)
    if actor.kind == "staff":
        require(actor, "citizen.change", municipality.pk if municipality else None)
    citizen, created = Citizen.objects.get_or_create(
        phone=e164,
        defaults={"name": name, "id_number": id_number, "language": language, "email": email,
                  "preferred_channel": preferred_channel or (actor.channel if actor.channel in
                  {"ussd", "sms", "whatsapp", "email"} else "sms"),
                  "municipality": municipality, "ward": ward},
    )
    if created:
        # Unique fields and foreign keys aside: get_or_create has just found the number
        # free, the uuid is new, the municipality and ward are rows the caller read, and
        # the database's constraints hold them all (three queries less a registration).
        citizen.full_clean(exclude=["municipality", "ward"], validate_unique=False)
        fields = ["phone", "name", "id_number", "language"]
        fields += [name for name, value in (("municipality", municipality), ("ward", ward))
                   if value is not None]
        _audit(actor, "citizen.register", citizen, municipality, {"fields": fields})
    return citizen


CITIZEN_FIELDS = ("phone", "name", "id_number", "email", "language", "preferred_channel",
                  "municipality", "ward")


@transaction.atomic
def citizen_update(*, actor: Actor, citizen: Citizen, **changes: Any) -> Citizen:
    """Correct a resident's details, with the phone and ID number checks of registering.
    Moving them to another municipality or ward takes the right in both places."""
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if citizen.erased:
        raise ImbizoError("already_erased", _("This resident's data was erased."), status=409)
    if not may_act_for(actor, citizen, "citizen.change"):
        raise PermissionDenied()
    if "phone" in changes:
        changes["phone"] = _on_field("phone", normalise_phone, changes["phone"])
    if changes.get("id_number"):
        changes["id_number"] = _on_field("id_number", parse_id_number,
                                         changes["id_number"]).number
    moved = fields_assign(citizen, changes, CITIZEN_FIELDS)
    if not moved:
        return citizen
    if citizen.ward is not None:
        if citizen.municipality_id is None:
            citizen.municipality = citizen.ward.municipality  # the ward says where
            moved.append("municipality")
        if citizen.ward.municipality_id != citizen.municipality_id:
            raise ImbizoError("ward_not_in_municipality",
                              _("Ward %(ward)s is not in %(muni)s.")
                              % {"ward": citizen.ward.number, "muni": citizen.municipality},
                              field="ward")
    if not may_act_for(actor, citizen, "citizen.change"):
        raise PermissionDenied(_("You may not move a resident where you do not work."),
                               field="municipality")
    if "phone" in moved and Citizen.objects.filter(phone=citizen.phone) \
            .exclude(pk=citizen.pk).exists():
        raise ImbizoError("phone_taken", _("Another resident has this number."), status=409,
                          field="phone")
    citizen.full_clean()
    citizen.save(update_fields=[*moved, "updated"])
    _audit(actor, "citizen.update", citizen, citizen.municipality, {"fields": sorted(moved)})
    return citizen


@transaction.atomic
def consent_give(*, actor: Actor, citizen: Citizen, purpose: str) -> Consent:
    """Record consent for one purpose; giving it again keeps the first record."""
    if purpose not in Consent.Purpose.values:
        raise ImbizoError("unknown_purpose", _("Unknown purpose: %(p)s") % {"p": purpose})
    consent, created = Consent.objects.get_or_create(
        citizen=citizen, purpose=purpose, withdrawn__isnull=True,
        defaults={"channel": actor.channel, "given": timezone.now()},
    )
    if created:
        _audit(actor, "consent.give", consent, citizen.municipality, {"purpose": purpose})
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Actor, citizen: Citizen, purpose: str) -> int:
    """Withdraw consent for a purpose; returns how many records were withdrawn (0 or 1)."""
    count = Consent.objects.filter(citizen=citizen, purpose=purpose,
                                   withdrawn__isnull=True).update(withdrawn=timezone.now())
    if count:
        _audit(actor, "consent.withdraw", citizen, citizen.municipality, {"purpose": purpose})
    return count


@transaction.atomic
def department_create(*, actor: Actor, municipality: Municipality, code: str,
                      name: str) -> Department:
    require(actor, "department.manage", municipality.pk)
    department = Department(municipality=municipality, code=code, name=name)
    department.full_clean()
    department.save()
    _audit(actor, "department.create", department, municipality, {"code": code, "name": name})
    return department


@transaction.atomic
def department_update(*, actor: Actor, department: Department, **changes: Any) -> Department:
    """Rename a department or change its code; it stays in its municipality."""
    require(actor, "department.manage", department.municipality_id)
    department = row_locked(Department, department.pk)
    moved = fields_assign(department, changes, ("code", "name"))
    if moved:
        department.full_clean()
        department.save(update_fields=[*moved, "updated"])
        _audit(actor, "department.update", department, department.municipality,
               {"fields": sorted(moved)})
    return department


def _membership_check(membership: Membership) -> None:
    """A role the platform knows, narrowed only within its own municipality; a
    councillor to a ward."""
    if membership.role not in Role.values:
        raise ImbizoError("unknown_role", _("Unknown role: %(r)s") % {"r": membership.role},
                          field="role")
    for field in ("department", "ward"):
        part = getattr(membership, field)
        if part is not None and part.municipality_id != membership.municipality_id:
            raise ImbizoError("outside_municipality",
                              _("%(part)s is not in that municipality.") % {"part": part},
                              field=field)
    if membership.role == Role.COUNCILLOR and membership.ward is None:
        raise ImbizoError("ward_required", _("A councillor serves a ward."), field="ward")


def _membership_require(actor: Actor, membership: Membership) -> None:
    """Only platform administrators grant, change or revoke platform roles and roles
    held everywhere."""
    require(actor, "membership.manage", membership.municipality_id)
    if (membership.municipality_id is None or membership.role in GLOBAL_ROLES) and \
            not actor.is_global("membership.manage"):
        raise ImbizoError("permission_denied", _("Only platform administrators can do that."),
                          status=403, field="role")


@transaction.atomic
def membership_grant(*, actor: Actor, user, role: str, municipality: Municipality | None = None,
                     department: Department | None = None,
                     ward: Ward | None = None) -> Membership:
    """Give a staff user a role. Only platform administrators grant platform roles."""
    wanted = Membership(user=user, role=role, municipality=municipality,
                        department=department, ward=ward)
    _membership_require(actor, wanted)
    _membership_check(wanted)
    membership, created = Membership.objects.get_or_create(
        user=user, role=role, municipality=municipality, department=department, ward=ward,
        defaults={"active": True},
    )
    if not created and not membership.active:
        membership.active = True
        membership.save(update_fields=["active", "updated"])
        created = True
    if created:
        membership.full_clean()
        _audit(actor, "membership.grant", membership, municipality,
               {"user": user.pk, "role": role})
    return membership


MEMBERSHIP_FIELDS = ("role", "department", "ward", "active")


@transaction.atomic
def membership_change(*, actor: Actor, membership: Membership, **changes: Any) -> Membership:
    """Change the role a membership gives, narrow or widen it, or switch it on or off.
    Its user and municipality stay: that is another membership."""
    membership = row_locked(Membership, membership.pk)
    _membership_require(actor, membership)
    moved = fields_assign(membership, changes, MEMBERSHIP_FIELDS)
    if not moved:
        return membership
    _membership_require(actor, membership)  # the new role too
    _membership_check(membership)
    membership.full_clean()
    membership.save(update_fields=[*moved, "updated"])
    _audit(actor, "membership.change", membership, membership.municipality,
           {"fields": sorted(moved)})
    return membership


@transaction.atomic
def membership_revoke(*, actor: Actor, membership: Membership) -> Membership:
    """Switch a membership off; its row stays as the record of who held what."""
    membership = row_locked(Membership, membership.pk)
    _membership_require(actor, membership)
    if membership.active:
        membership.active = False
        membership.save(update_fields=["active", "updated"])
        _audit(actor, "membership.revoke", membership, membership.municipality,
               {"user": membership.user_id, "role": membership.role})
    return membership


@transaction.atomic
def staff_user_create(*, actor: Actor, username: str, password: str, email: str = "",
                      first_name: str = "", last_name: str = ""):
    """Create a staff login (memberships are granted separately)."""
    require(actor, "membership.manage")
    User = get_user_model()
    user = User(username=username, email=email, first_name=first_name, last_name=last_name,
                is_staff=True)
    user.set_password(password)
    user.full_clean()
    user.save()
    _audit(actor, "user.create", user, None, {"username": username})
    return user


@transaction.atomic
def superuser_grant(*, actor: Actor, user) -> None:
    """Make a platform administrator a Django superuser, so the whole admin site opens."""
    require(actor, "membership.manage")
    if not user.is_superuser:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
        audit_record(actor=actor.label, channel=actor.channel, action="user.superuser_grant",
                     obj=user, changes={"username": user.username})


@transaction.atomic
def citizen_erase(*, actor: Actor, citizen: Citizen) -> dict[str, int]:
    """Erase a resident's personal data (POPIA section 24): each app's part first (their
    cases are kept but unlinked and their contact details blanked, messages to them
    emptied), then their own record, which stays as a row without personal data so that
    its opaque id in the audit log and case histories points at nothing. Active consents
    are withdrawn; their records stay as proof of what was agreed. Returns how many
    records each part changed."""
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if not may_act_for(actor, citizen, "citizen.erase"):
        raise PermissionDenied()
    if citizen.erased:
        raise ImbizoError("already_erased", _("This resident's data was already erased."),
                          status=409)
    changed = {name: part.erase(citizen) for name, part in PARTS.items()}
    now = timezone.now()
    changed["consents"] = Consent.objects.filter(citizen=citizen, withdrawn__isnull=True) \
        .update(withdrawn=now)
    citizen.phone, citizen.name, citizen.id_number, citizen.email = None, "", "", ""
    citizen.ward, citizen.erased = None, now
    citizen.save(update_fields=["phone", "name", "id_number", "email", "ward", "erased",
                                "updated"])
    _audit(actor, "citizen.erase", citizen, citizen.municipality, changed)
    return changed


@transaction.atomic
def citizen_export(*, actor: Actor, citizen: Citizen) -> dict:
    """Everything held about the resident (POPIA section 23), as JSON-ready data. A
    service, not a selector: handing over personal data is itself audited."""
    if citizen.erased:
        raise NotFound("citizen_not_found", "No such resident.")
    if not may_act_for(actor, citizen, "citizen.change"):
        raise PermissionDenied()
    consents = citizen.consents.order_by("given", "pk")
    export = {
        "resident": {
            "uuid": str(citizen.uuid), "phone": citizen.phone, "name": citizen.name,
            "id_number": citizen.id_number, "email": citizen.email,
            "language": citizen.language, "preferred_channel": citizen.preferred_channel,
            "municipality": citizen.municipality.code if citizen.municipality_id else None,
            "ward": citizen.ward.code if citizen.ward_id else None,
            "registered": citizen.created.isoformat(),
        },
        "consents": [{"purpose": c.purpose, "channel": c.channel, "given": c.given.isoformat(),
                      "withdrawn": c.withdrawn.isoformat() if c.withdrawn else None}
                     for c in consents],
        **{part.name: part.export(citizen, export_within(actor)) for part in PARTS.values()},
    }
    _audit(actor, "citizen.export", citizen, citizen.municipality, {"parts": sorted(export)})
    return export


# --- Channel addresses: how a resident is reached on each channel ---------------------
def channel_address_seen(channel: str, address: str,
                         citizen: Citizen | None = None) -> ChannelAddress:
    """The address a resident just wrote from (created on first sight), its last inbound
    time set now: WhatsApp's 24-hour window is counted from it. A citizen given links an
    address that had none."""
    now = timezone.now()
    found, created = ChannelAddress.objects.get_or_create(
        channel=channel, address=address, defaults={"citizen": citizen, "last_inbound": now})
    if not created:
        fields = {"last_inbound": now, "updated": now}
        if citizen is not None and found.citizen_id is None:
            fields["citizen"] = citizen
        ChannelAddress.objects.filter(pk=found.pk).update(**fields)
        for name, value in fields.items():
            setattr(found, name, value)
    return found


def _opt(channel: str, address: str, opted_out) -> bool:
    found = channel_address_seen(channel, address)
    if bool(found.opted_out) == bool(opted_out):
        return False
    ChannelAddress.objects.filter(pk=found.pk).update(opted_out=opted_out)
    citizen = found.citizen
    audit_record(actor=f"citizen:{citizen.uuid}" if citizen else "system", channel=channel,
                 action="channel.opt_out" if opted_out else "channel.opt_in", obj=found,
                 municipality_code=citizen.municipality.code if citizen and
                 citizen.municipality_id else "", changes={"channel": channel})
    return True


@transaction.atomic
def channel_opt_out(channel: str, address: str) -> bool:
    """The resident said STOP: nothing more on this channel. True if it changed."""
    return _opt(channel, address, timezone.now())


@transaction.atomic
def channel_opt_in(channel: str, address: str) -> bool:
    """The resident said START again. True if it changed."""
    return _opt(channel, address, None)


@transaction.atomic
def channel_address_link(*, actor: Actor, channel: str, address: str, phone: str) -> Citizen:
    """Link a channel's user id (Telegram) to the resident of the phone number they
    shared, registering that resident if new: one person across channels."""
    citizen = citizen_register(actor=actor, phone=phone, preferred_channel=channel)
    found = channel_address_seen(channel, address, citizen=citizen)
    if found.citizen_id != citizen.pk:
        ChannelAddress.objects.filter(pk=found.pk).update(citizen=citizen)
        found.citizen = citizen
    _audit(actor, "channel.link", found, citizen.municipality, {"channel": channel})
    return citizen


# Channels a resident reaches by an address held on their own record.
OWN_ADDRESS = {"sms": "phone", "whatsapp": "phone", "email": "email"}


@transaction.atomic
def citizen_channel_opt(*, actor: Actor, citizen: Citizen, channel: str,
                        opted_out: bool) -> bool:
    """A resident turns a channel's messages off or on from their profile (the web's
    STOP and START). The address is their own: their number on SMS and WhatsApp, their
    e-mail, or one linked to them (Telegram); it is linked to them if it was not, so
    the outbox finds the opt-out. Unlike an inbound STOP, nothing counts as a message
    from them (WhatsApp's window stays as it was). True if it changed."""
    if not may_act_for(actor, citizen, "citizen.change"):
        raise PermissionDenied()
    field = OWN_ADDRESS.get(channel)
    if field:
        address = getattr(citizen, field)
        if not address:
            raise ImbizoError("no_address", _("You have no address for this."), field=channel)
        found, _created = ChannelAddress.objects.select_for_update().get_or_create(
            channel=channel, address=address, defaults={"citizen": citizen})
    else:
        found = ChannelAddress.objects.select_for_update().filter(
            citizen=citizen, channel=channel).first()
        if found is None:
            raise NotFound("no_address", _("You have no address for this."))
    if bool(found.opted_out) == opted_out and found.citizen_id == citizen.pk:
        return False
    changed = bool(found.opted_out) != opted_out
    found.citizen, found.opted_out = citizen, timezone.now() if opted_out else None
    found.save(update_fields=["citizen", "opted_out", "updated"])
    if changed:
        _audit(actor, "channel.opt_out" if opted_out else "channel.opt_in", found,
               citizen.municipality, {"channel": channel})
    return changed
