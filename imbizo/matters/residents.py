"""The resident a key or staff member acts for, named by phone, as ``cases.transitions
.resident_for`` does for cases: the caller must log cases (``case.log``) in the
municipality of the ward (a call centre raising a caller's matter, a CRM its user's).
A signed-in resident acts for themselves."""

from django.utils.translation import gettext as _

from imbizo.accounts.models import Citizen, Consent
from imbizo.accounts.phone import normalise_phone
from imbizo.accounts.services import citizen_register, consent_give
from imbizo.cases.transitions import ActingFor
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Actor
from imbizo.geo.models import Ward


def _number(phone: str) -> str:
    if not (phone or "").strip():
        raise ImbizoError("phone_required",
                          _("Give the phone number of the resident you act for."), field="phone")
    return normalise_phone(phone)


def _may_act(actor: Actor, ward: Ward) -> None:
    if actor.kind not in ("staff", "integrator") or not actor.has("case.log",
                                                                  ward.municipality_id):
        raise PermissionDenied(_("You may not act for residents of %(muni)s.")
                               % {"muni": ward.municipality.name})


def matter_resident(*, actor: Actor, ward: Ward, phone: str = "",
                    register: bool = False) -> Actor:
    """The resident to act as in ``ward``. ``register``: a number new to Imbizo becomes a
    resident (who consents to messages about what they raise through the caller's
    channel); call it inside the transaction of the step, so that a refused step keeps
    no one. Without it an unknown number is refused."""
    if actor.kind == "citizen":
        return actor
    _may_act(actor, ward)
    e164 = _number(phone)
    citizen = Citizen.objects.filter(phone=e164, erased__isnull=True).first()
    if citizen is None and not register:
        raise ImbizoError("not_ward_resident",
                          _("No resident of ward %(ward)s has that number.")
                          % {"ward": ward.number}, status=403, field="phone")
    if citizen is None:
        citizen = citizen_register(actor=actor, phone=e164, municipality=ward.municipality,
                                   ward=ward)
        resident = ActingFor(kind="citizen", channel=actor.channel, citizen=citizen, via=actor)
        consent_give(actor=resident, citizen=citizen, purpose=Consent.Purpose.SERVICE)
        return resident
    return ActingFor(kind="citizen", channel=actor.channel, citizen=citizen, via=actor)
