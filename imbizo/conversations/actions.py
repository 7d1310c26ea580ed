"""Actions a flow calls by name: the same services the API calls, as the resident on
their channel. Each returns ``(result, values)``: the result picks the flow's next node,
the values fill its placeholders. An ``ImbizoError`` is said to the resident."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files.storage import default_storage
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from imbizo.accounts.services import citizen_update
from imbizo.audit.services import audit_chain_hold
from imbizo.cases.attachments import attachment_add
from imbizo.cases.duplicates import case_join, duplicate_candidates
from imbizo.cases.lifecycle import case_rate
from imbizo.cases.models import OPEN_STATUSES, Case, Status
from imbizo.cases.selectors import access_case, case_list, category_for_logging
from imbizo.cases.services import Location, case_log
from imbizo.cases.standard import category_name
from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Ward
from imbizo.geo.selectors import municipalities_served

from .registry import action
from .sources import LANGUAGES
from .texts import SAY
from .turn import PHONE_CHANNELS

if TYPE_CHECKING:
    from .turn import Turn


@action("municipality_known")
def municipality_known(turn: Turn):
    """The resident's own municipality, else the only one served; else ask.

    The resident is registered here, as the report begins, in a hop of its own: the hop
    that logs the case then takes the reference counter before the audit chain, as every
    case does, and holds the chain only for the moment its entry takes. Where one
    municipality is served, a resident registered now has it as their home at once (one
    write and one audit entry, not two)."""
    served = config_cache.get("conversation_municipalities", municipalities_served)
    if turn.channel in PHONE_CHANNELS:
        turn.resident(municipality=served[0] if len(served) == 1 else None)
    if turn.answers.get("municipality"):
        return "known", {}
    if turn.citizen is not None and turn.citizen.municipality_id:
        return "known", {"municipality": turn.citizen.municipality_id}
    if len(served) == 1:
        turn.answers["municipality"] = served[0].pk
        _home_set(turn)
        return "known", {}
    return "ask", {}


@action("municipality_remember")
def municipality_remember(turn: Turn):
    """The municipality a resident picked is theirs from now on (asked once)."""
    turn.answers["municipality"] = int(turn.answers["municipality"])
    _home_set(turn)
    return "done", {}


def _home_set(turn: Turn) -> None:
    """A resident with no home municipality yet gets the one they report to: its staff
    then see them, their messages and their conversation (the permission layer scopes
    residents by home)."""
    citizen = turn.citizen if turn.channel not in PHONE_CHANNELS else turn.resident()
    if citizen is not None and citizen.municipality_id is None:
        citizen_update(actor=turn.actor(), citizen=citizen, municipality=turn.municipality())


def _category(turn: Turn):
    category = category_for_logging(turn.municipality(), turn.answers["category"])
    if category is None:
        raise ImbizoError("unknown_category",
                          _("That is no longer something we take reports about."))
    return category


@action("duplicates_find")
def duplicates_find(turn: Turn):
    """Open cases of the category near a GPS point, offered to join ("me too")."""
    place = turn.answers.get("place") or {}
    if place.get("lat") is None:
        return "none", {}
    found = duplicate_candidates(actor=turn.actor(), category=_category(turn),
                                 latitude=place["lat"], longitude=place["lon"], limit=1)
    if not found:
        return "none", {}
    case, metres = found[0]
    return "found", {"duplicate": case.reference, "distance": int(metres)}


@action("case_join")
def join(turn: Turn):
    # Offered from the public register (duplicate_candidates shows a resident no other).
    case = Case.objects.filter(reference=turn.answers["duplicate"], public=True).first()
    if case is None:
        raise ImbizoError("case_not_found", _("That case is no longer open."))
    case_join(actor=_resident_actor(turn), case=case)
    return "joined", {"reference": case.reference}


def _resident_actor(turn: Turn):
    turn.resident()
    return turn.actor()


@action("case_log")
def log(turn: Turn):
    """Log the fault through ``case_log``; a retried message or USSD hop logs it once.

    A resident not registered when the report began (erased meanwhile) is registered
    now, an audited change before the reference counter. Where that happens inside the
    caller's transaction (a message handled in a task; a USSD hop has none), the audit
    chain is locked first, so that this and another case being logged cannot each wait
    for the other."""
    if turn.citizen is None and connection.in_atomic_block:
        audit_chain_hold()
    actor = _resident_actor(turn)
    place = turn.answers.get("place") or {}
    municipality = turn.municipality()
    ward = None
    if place.get("ward") and place.get("lat") is None:
        ward = Ward.objects.defer("boundary").filter(municipality=municipality,
                                                    number=place["ward"]).first()
        if ward is not None:
            ward.municipality = municipality  # as read, without its boundary: no second read
    address = place.get("landmark") or place.get("suburb") or place.get("code") or ""
    case = case_log(actor=actor, category=turn.answers["category"],
                    description=turn.answers["description"], municipality=municipality,
                    location=Location(latitude=place.get("lat"), longitude=place.get("lon"),
                                      address=address, ward=ward),
                    idempotency_key=turn.idempotency_key)
    photo = turn.answers.get("photo")
    if photo and not getattr(case, "replayed", False):
        with default_storage.open(photo) as file:
            attachment_add(actor=actor, case=case, data=file.read())
        default_storage.delete(photo)
    return "logged", {"reference": case.reference}


@action("case_track")
def track(turn: Turn):
    case = access_case(turn.actor(), turn.answers["reference"])
    detail = category_name(case.category.name)
    if case.status == Status.RESOLVED:
        detail = _("Tell us if it is not fixed.")
    return "found", {"reference": case.reference, "status": Status(case.status).label,
                     "detail": detail}


@action("open_cases_count")
def open_cases(turn: Turn):
    if turn.citizen is None:
        return "none", {}
    has = case_list(actor=turn.actor()).filter(status__in=OPEN_STATUSES).exists()
    return ("some" if has else "none"), {}


@action("case_rateable")
def rateable(turn: Turn):
    case = access_case(turn.actor(), turn.answers["reference"])
    if case.status != Status.CLOSED:
        raise ImbizoError("not_closed", _("You can rate a case once it is closed."))
    if case.rating is not None:
        raise ImbizoError("already_rated", _("%(ref)s has already been rated.")
                          % {"ref": case.reference})
    return "ok", {"reference": case.reference}


@action("case_rate")
def rate(turn: Turn):
    case = access_case(turn.actor(), turn.answers["reference"])
    case_rate(actor=turn.actor(), case=case, rating=int(turn.answers["rating"]))
    return "rated", {"reference": case.reference}


@action("language_set")
def language_set(turn: Turn):
    """Remembered on the resident: every channel speaks it from now on."""
    language = turn.answers["language"]
    citizen = turn.resident()
    if citizen.language != language:
        citizen_update(actor=turn.actor(), citizen=citizen, language=language)
    turn.session.language = language
    # The rest of this turn (the confirmation first) is said in the language just chosen;
    # the caller's ``override`` puts the previous one back when the turn ends.
    translation.activate(language)
    return "done", {"language_label": dict(LANGUAGES).get(language, language)}


@action("help_numbers")
def help_numbers(turn: Turn):
    """The national emergency numbers, and the municipality's own where it has one."""
    municipality = turn.municipality() or (turn.citizen.municipality if turn.citizen else None)
    phone = getattr(municipality, "phone", "") if municipality else ""
    line = SAY["municipality_phone"] % {"phone": phone} if phone else ""
    return "shown", {"municipality_line": str(line)}
