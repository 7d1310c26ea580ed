"""A resident's subscriptions in their export (POPIA s23), deleted on erasure (s24): the
areas are public, the choice to follow them is the resident's own."""

from django.db.models import Q

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import personal_data

from .models import Subscription


def subscriptions_export(citizen: Citizen, within: set[int] | None) -> dict:
    """``within``: staff of some municipalities see the areas run by or covering them."""
    found = Subscription.objects.filter(citizen=citizen)
    if within is not None:
        found = found.filter(Q(area__municipality_id__in=within)
                             | Q(area__coverage__municipality_id__in=within)).distinct()
    return {"areas_followed": [
        {"area": key, "name": name, "since": since.isoformat()}
        for key, name, since in found.order_by("created", "pk")
        .values_list("area__key", "area__name", "created")]}


def subscriptions_erase(citizen: Citizen) -> int:
    removed, _by_model = Subscription.objects.filter(citizen=citizen).delete()
    return removed


personal_data("loadshedding", export=subscriptions_export, erase=subscriptions_erase)
