"""Who may do what to a matter: the one place the services and selectors ask.

A councillor acts only on matters of the wards their councillor memberships name
(``matters.answer``, narrowed to a ward); a resident acts on their own matter. Each check
is made on the record in hand, without a query. Who reads which matters is the selectors'
``scope`` (``matters.view``: managers and administrators read their municipality's).
"""

from django.utils.translation import gettext as _

from imbizo.core.errors import PermissionDenied
from imbizo.core.permissions import Actor, allows

from .models import Matter


def may_answer(actor: Actor, matter: Matter) -> bool:
    """A councillor of the matter's ward (or the system, for its own tasks)."""
    return actor.kind in ("staff", "system") and allows(
        actor, "matters.answer", municipality_id=matter.municipality_id, ward_id=matter.ward_id)


def is_owner(actor: Actor, matter: Matter) -> bool:
    return actor.kind == "citizen" and matter.citizen_id is not None \
        and matter.citizen_id == actor.citizen.pk


def require_answer(actor: Actor, matter: Matter) -> None:
    if not may_answer(actor, matter):
        raise PermissionDenied(_("Only the councillor of ward %(ward)s may do that.")
                               % {"ward": matter.ward.number})


def require_answer_or_owner(actor: Actor, matter: Matter) -> None:
    if not (may_answer(actor, matter) or is_owner(actor, matter)):
        raise PermissionDenied(_("Only the councillor of ward %(ward)s or the resident who "
                                 "raised it may do that.") % {"ward": matter.ward.number})
