"""Names the case an outbox message is about (its dedupe key starts ``case:<uuid>:``, as
this app writes it) in the messaging admin, which does not know cases."""

from uuid import UUID

from django.urls import reverse
from django.utils.html import format_html

from imbizo.cases.selectors import case_list
from imbizo.core.permissions import Actor
from imbizo.messaging.admin import SUBJECTS


def _uuids(values: list[str]) -> list[UUID]:
    found = []
    for value in values:
        try:
            found.append(UUID(value))
        except ValueError:
            continue
    return found


def case_links(actor: Actor, uuids: list[str]) -> dict[str, str]:
    """Each case's reference, linked to its page, for the cases the staff member may see
    (one query)."""
    cases = case_list(actor=actor).filter(uuid__in=_uuids(uuids)).order_by()
    return {str(uuid): format_html('<a href="{}">{}</a>',
                                   reverse("admin:cases_case_change", args=[pk]), reference)
            for uuid, pk, reference in cases.values_list("uuid", "pk", "reference")}


SUBJECTS["case"] = case_links
