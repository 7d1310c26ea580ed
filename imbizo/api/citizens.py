"""A resident's data over the REST API: the copy POPIA entitles them to, and its erasure.
For the staff console and integrators; the resident's own pages come with the web issue."""

from uuid import UUID

from django.http import JsonResponse
from ninja import Router, Schema

from imbizo.accounts.selectors import access_citizen
from imbizo.accounts.services import citizen_erase, citizen_export

from .auth import api_auth

router = Router(tags=["residents"], auth=api_auth)


class ErasedOut(Schema):
    erased: bool
    changed: dict[str, int]


@router.get("/citizens/{uuid}/export", summary="Everything held about a resident (POPIA s23)",
            response={200: dict})
def export(request, uuid: UUID):
    data = citizen_export(actor=request.auth, citizen=access_citizen(request.auth, uuid))
    response = JsonResponse(data)
    response["Content-Disposition"] = f'attachment; filename="resident-{uuid}.json"'
    return response


@router.post("/citizens/{uuid}/erase", response=ErasedOut,
             summary="Erase a resident's personal data (POPIA s24); cases stay, anonymised")
def erase(request, uuid: UUID):
    changed = citizen_erase(actor=request.auth, citizen=access_citizen(request.auth, uuid))
    return {"erased": True, "changed": changed}
