"""The steps every change to a case shares: who may work it, its current row locked
against a stale caller, and one checked transition, recorded, audited and announced.
The lifecycle services, duplicates, work orders and attachments are built from them."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from imbizo.accounts.models import Citizen, Consent
from imbizo.accounts.phone import normalise_phone
from imbizo.accounts.services import citizen_register, consent_give
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, allows

from .models import Case, CaseUpdate, Status
from .representation import case_event_data

S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.LOGGED: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.REJECTED, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.REJECTED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.ON_HOLD, S.RESOLVED, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.CANCELLED}),
}


def may_work(actor: Actor, case: Case, permission: str = "case.work") -> bool:
    return actor.kind in ("staff", "integrator", "system") and allows(
        actor, permission, municipality_id=case.municipality_id,
        department_id=case.department_id, ward_id=case.ward_id)


def is_reporter(actor: Actor, case: Case) -> bool:
    """The resident who reported the case: signed in as they did, or owner of the number
    left with it (Open311 and integrators name reporters by phone; a number is a person)."""
    if actor.kind != "citizen":
        return False
    citizen = actor.citizen
    return case.reporter_id == citizen.pk or (
        bool(case.contact_phone) and case.contact_phone == citizen.phone)


@dataclass
class ActingFor(Actor):
    """A resident's own step taken for them by an integrator's key or a staff member. It
    acts as the resident (kind "citizen"); its label names both, for the audit log and
    the case's history: ``apikey:ab12cd34 for citizen:<uuid>``."""

    via: Actor | None = None

    @property
    def label(self) -> str:
        return f"{self.via.label} for citizen:{self.citizen.uuid}"


def resident_for(*, actor: Actor, case: Case, phone: str = "",
                 reporter_only: bool = True) -> Actor:
    """The resident a key or staff member acts for, named by phone as Open311 names
    reporters; the caller must be able to log cases where this one is. For the reporter's
    own steps (confirm, rate, reopen, cancel) the number must be the reporter's or the one
    left with the case; any number may join ("me too"). A number new to Imbizo registers
    its resident, who consents to messages about the case through the caller's channel.
    A signed-in resident acts for themselves, and ``phone`` is ignored."""
    if actor.kind == "citizen":
        return actor
    if not may_work(actor, case, "case.log"):
        raise PermissionDenied(_("You may not act for residents on %(ref)s.")
                               % {"ref": case.reference})
    if not (phone or "").strip():
        raise ImbizoError("phone_required",
                          _("Give the phone number of the resident you act for."))
    e164 = normalise_phone(phone)
    citizen = Citizen.objects.filter(phone=e164).first()
    if reporter_only and e164 != case.contact_phone and (
            citizen is None or citizen.pk != case.reporter_id):
        raise PermissionDenied(
            _("That number is not the one %(ref)s was reported with: only the resident who "
              "reported it can confirm, rate, reopen or cancel it.") % {"ref": case.reference})
    if citizen is not None:
        return ActingFor(kind="citizen", channel=actor.channel, citizen=citizen, via=actor)
    with transaction.atomic():
        citizen = citizen_register(actor=actor, phone=e164, municipality=case.municipality)
        resident = ActingFor(kind="citizen", channel=actor.channel, citizen=citizen, via=actor)
        consent_give(actor=resident, citizen=citizen, purpose=Consent.Purpose.SERVICE)
    return resident


def case_locked(case: Case, expected_version: int | None) -> Case:
    """The current row, locked; a caller holding an older version gets a 409."""
    current = Case.objects.select_for_update(of=("self",)).select_related(
        "category", "municipality", "department", "ward", "reporter").get(pk=case.pk)
    if expected_version is not None and expected_version != current.version:
        raise ImbizoError("stale_case",
                          _("Someone else changed %(ref)s since you loaded it (version "
                            "%(theirs)s, yours %(yours)s). Reload it and try again.")
                          % {"ref": current.reference, "theirs": current.version,
                             "yours": expected_version},
                          status=409, current_version=current.version)
    return current


def case_move(actor: Actor, case: Case, to: str, *, text: str = "", fields: tuple = ()) -> Case:
    """Apply one transition already checked for permission; audit and announce it."""
    if to not in TRANSITIONS.get(case.status, ()):
        raise ImbizoError("invalid_transition",
                          _("A case that is %(now)s cannot become %(to)s.")
                          % {"now": Status(case.status).label, "to": Status(to).label},
                          status=409)
    before = case.status
    case.status = to
    case.version += 1
    case.save(update_fields=["status", "version", "updated", *fields])
    update = CaseUpdate.objects.create(case=case, kind=CaseUpdate.Kind.STATUS,
                                       actor=actor.label, author=author_name(actor),
                                       from_status=before, to_status=to, text=text)
    audit_record(actor=actor.label, channel=actor.channel, action=f"case.{to}", obj=case,
                 municipality_code=case.municipality.code,
                 changes={"status": [before, to], "fields": list(fields)})
    emit("case_status_changed", municipality_id=case.municipality_id, case_id=case.pk,
         update_id=update.pk, from_status=before, data=case_event_data(case))
    return case


def author_name(actor: Actor) -> str:
    """Who wrote an update, as stored: a person's name, or "Resident" or "Imbizo" in the
    source language, which each page translates for its reader ({% translate u.author %}):
    a resident's isiZulu session must not write isiZulu into what staff read."""
    if actor.kind == "staff":
        return actor.user.get_full_name() or actor.user.get_username()
    if actor.kind == "integrator":
        return actor.api_key.name
    return gettext_noop("Resident") if actor.kind == "citizen" else gettext_noop("Imbizo")
