"""A resident's rights under POPIA: a copy of what the platform holds about them
(section 23) and its erasure (section 24). Cases stay, anonymised, because the
municipality's record of its service delivery is not the resident's to delete.

Each app that holds personal data registers a part here (in its ``ready``) with how to
export and how to erase what it holds about one resident, so accounts knows nothing of
cases or messages and a new app cannot be forgotten by an erasure it never heard of.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from imbizo.core.permissions import Actor, allows

from .models import Citizen


@dataclass(frozen=True)
class PersonalData:
    name: str
    # JSON-ready; holding records of the given municipalities only (None: of every one).
    export: Callable[[Citizen, set[int] | None], object]
    erase: Callable[[Citizen], int]  # how many records it changed; runs before the
    # resident's own fields are blanked, so it can still find them by phone or e-mail


PARTS: dict[str, PersonalData] = {}


def personal_data(name: str, *, export: Callable[[Citizen, set[int] | None], object],
                  erase: Callable[[Citizen], int]) -> None:
    PARTS[name] = PersonalData(name, export, erase)


def may_act_for(actor: Actor, citizen: Citizen, permission: str) -> bool:
    """The resident themselves, or staff holding ``permission`` where the resident lives
    (a resident with no home municipality: staff who hold it everywhere)."""
    if actor.kind == "citizen":
        return actor.citizen.pk == citizen.pk
    if citizen.municipality_id is None:
        return actor.is_global(permission)
    return allows(actor, permission, municipality_id=citizen.municipality_id,
                  ward_id=citizen.ward_id)


def export_within(actor: Actor) -> set[int] | None:
    """Whose records an export made by ``actor`` may hold. A resident's records can lie in
    several municipalities (they report where they work too); staff hand over only their
    own municipality's, as they may read no other's. The resident themselves and
    platform-wide roles get them all (None)."""
    if actor.kind == "citizen" or actor.is_global("citizen.change"):
        return None
    return actor.municipality_ids("citizen.change")


def matching_any(queryset: QuerySet, conditions: list[Q]) -> QuerySet:
    """The rows matching any of ``conditions`` (a resident's id, number, address), found
    by one query each so that each uses its own index: joined by OR, PostgreSQL scanned a
    million cases. A resident's rows are few, so their ids are fetched first."""
    first, *rest = [queryset.filter(c).order_by().values_list("pk", flat=True)
                    for c in conditions]
    return queryset.filter(pk__in=list(first.union(*rest) if rest else first))
