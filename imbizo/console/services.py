"""The console's writes: saved views, the second factor, and a case logged for a caller.
Each is atomic and audited (the last through the services it calls)."""

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from imbizo.accounts.models import Citizen
from imbizo.accounts.phone import normalise_phone
from imbizo.accounts.services import citizen_register
from imbizo.audit.services import audit_record
from imbizo.cases.models import Case
from imbizo.cases.services import Location, case_log
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality, Ward

from .models import SavedView

CHANNEL = "console"
DEVICE_NAME = "console"


@transaction.atomic
def saved_view_save(*, actor: Actor, name: str, query: str) -> SavedView:
    """Keep the queue's current filters under a name; the same name again replaces them."""
    name = name.strip()
    if not name:
        raise ImbizoError("name_required", _("Give the view a name."))
    view, created = SavedView.objects.update_or_create(
        user=actor.user, name=name[:60], defaults={"query": query[:500]})
    audit_record(actor=actor.label, channel=actor.channel, action="console.saved_view.save",
                 obj=view, changes={"name": view.name, "query": view.query, "new": created})
    return view


@transaction.atomic
def saved_view_delete(*, actor: Actor, view_id: int) -> None:
    view = SavedView.objects.filter(user=actor.user, pk=view_id).first()
    if view is None:
        raise NotFound("saved_view_not_found", _("No such saved view."))
    audit_record(actor=actor.label, channel=actor.channel, action="console.saved_view.delete",
                 obj=view, changes={"name": view.name})
    view.delete()


def totp_device(user) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they have enrolled one."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@transaction.atomic
def totp_enrolment_start(*, user) -> TOTPDevice:
    """The unconfirmed device a user is enrolling (a new secret the first time)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        audit_record(actor=f"user:{user.pk}", channel=CHANNEL, action="console.totp.start",
                     obj=device, object_type="otp_totp.totpdevice")
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user, device: TOTPDevice, token: str) -> bool:
    """Confirm the device with its first code: from then on sign-in asks for a code."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=f"user:{user.pk}", channel=CHANNEL, action="console.totp.confirm",
                 obj=device)
    return True


def sign_in_record(*, user) -> None:
    """Password and code both passed (the view has just opened the session)."""
    audit_record(actor=f"user:{user.pk}", channel=CHANNEL, action="console.sign_in",
                 object_type="auth.user", object_id=str(user.pk))


@transaction.atomic
def caller_case_log(*, actor: Actor, phone: str, name: str, municipality: Municipality,
                    category: str, ward_number: int | None, address: str, description: str,
                    idempotency_key: str | None = None) -> Case:
    """A case an agent logs for a caller (``actor`` on the "phone" channel): the caller
    is the resident behind the number, registered now if no one is yet; their details
    are never changed here."""
    e164 = normalise_phone(phone)
    reporter = Citizen.objects.filter(phone=e164, erased__isnull=True).first()
    if reporter is None:
        reporter = citizen_register(actor=actor, phone=e164, name=name.strip(),
                                    municipality=municipality)
    ward = None
    if ward_number is not None:
        ward = Ward.objects.defer("boundary").filter(municipality=municipality,
                                                     number=ward_number).first()
        if ward is None:
            raise ImbizoError("unknown_ward", _("%(muni)s has no ward %(n)s.")
                              % {"muni": municipality.name, "n": ward_number}, field="ward")
    return case_log(actor=actor, category=category, description=description,
                    location=Location(address=address.strip(), ward=ward),
                    municipality=municipality, reporter=reporter,
                    idempotency_key=idempotency_key)
