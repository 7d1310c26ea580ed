"""What residents do to a case, over the API: join it ("me too"), confirm it fixed, rate
it, reopen it, cancel it. An integrator's key or a staff member acts for the resident
named by ``phone`` (as Open311 names reporters); a signed-in resident acts for
themselves and sends no phone. Who may act for whom is decided by
``cases.transitions.resident_for`` and the services; each answer is the case's detail,
as ``GET /cases/{reference}`` gives it."""

from collections.abc import Callable

from django.db import transaction
from ninja import Router, Schema

from imbizo.cases import lifecycle
from imbizo.cases.duplicates import case_join
from imbizo.cases.models import Case
from imbizo.cases.selectors import access_case
from imbizo.cases.transitions import resident_for
from imbizo.core.permissions import Actor

from .auth import api_auth
from .cases import CaseDetailOut, _detail, _load

router = Router(tags=["residents"], auth=api_auth)


class ResidentIn(Schema):
    phone: str = ""  # the resident's number; left out when residents act for themselves


class RateIn(ResidentIn):
    rating: int
    comment: str = ""


class ConfirmIn(ResidentIn):
    expected_version: int | None = None


class ReopenIn(ResidentIn):
    reason: str
    expected_version: int | None = None


class CancelIn(ResidentIn):
    note: str = ""
    expected_version: int | None = None


def _act(request, reference: str, phone: str, step: Callable[[Actor, Case], object], *,
         reporter_only: bool = True) -> dict:
    """Find the case, the resident and take the step in one transaction, so a resident
    registered for a step that fails is not kept."""
    with transaction.atomic():
        case = access_case(request.auth, reference)
        resident = resident_for(actor=request.auth, case=case, phone=phone,
                                reporter_only=reporter_only)
        step(resident, case)
    return _detail(_load(request, reference), request.auth,
                   absolute=request.build_absolute_uri)


@router.post("/cases/{reference}/join", response=CaseDetailOut,
             summary='"Me too": the resident follows an open case')
def join(request, reference: str, payload: ResidentIn):
    """Any number may join; one new to Imbizo registers its resident. Joining twice
    counts once."""
    return _act(request, reference, payload.phone,
                lambda resident, case: case_join(actor=resident, case=case),
                reporter_only=False)


@router.post("/cases/{reference}/confirm", response=CaseDetailOut,
             summary="The reporter confirms a resolved case fixed (it closes)")
def confirm(request, reference: str, payload: ConfirmIn):
    return _act(request, reference, payload.phone,
                lambda resident, case: lifecycle.case_close(
                    actor=resident, case=case, expected_version=payload.expected_version))


@router.post("/cases/{reference}/rate", response=CaseDetailOut,
             summary="The reporter rates a closed case, once (1 to 5)")
def rate(request, reference: str, payload: RateIn):
    return _act(request, reference, payload.phone,
                lambda resident, case: lifecycle.case_rate(
                    actor=resident, case=case, rating=payload.rating, comment=payload.comment))


@router.post("/cases/{reference}/reopen", response=CaseDetailOut,
             summary="The reporter says a resolved case is not fixed")
def reopen(request, reference: str, payload: ReopenIn):
    return _act(request, reference, payload.phone,
                lambda resident, case: lifecycle.case_reopen(
                    actor=resident, case=case, reason=payload.reason,
                    expected_version=payload.expected_version))


@router.post("/cases/{reference}/cancel", response=CaseDetailOut,
             summary="The reporter withdraws an open case")
def cancel(request, reference: str, payload: CancelIn):
    return _act(request, reference, payload.phone,
                lambda resident, case: lifecycle.case_cancel(
                    actor=resident, case=case, note=payload.note,
                    expected_version=payload.expected_version))
