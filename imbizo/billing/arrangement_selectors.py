"""Reads of arrangements and meter readings, scoped to the actor as accounts are
(selectors.py): a resident sees those of the accounts linked to them; staff and keys those
of the municipalities where they hold ``billing.view``; the revenue staff's queues
(proposals awaiting a decision, flagged readings) need ``billing.manage``. Each list is
one query; a record one may not see answers as one that does not exist.
"""

from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from imbizo.core.errors import NotFound
from imbizo.core.permissions import Actor, scope

from .arrangement_models import Arrangement, Instalment, MeterReading
from .selectors import account_list

MANAGE = "billing.manage"


def _visible(actor: Actor, queryset: QuerySet) -> QuerySet:
    if actor.kind == "citizen":
        return queryset.filter(account__in=account_list(actor=actor).values("pk"))
    if actor.kind in ("staff", "integrator", "system"):
        return scope(actor, queryset, "billing.view")
    return queryset.none()


def _with_account(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("account", "municipality").defer("municipality__boundary")


def arrangement_list(*, actor: Actor) -> QuerySet[Arrangement]:
    """Newest first, each with its account and municipality."""
    return _visible(actor, _with_account(Arrangement.objects.all())).order_by("-created", "-pk")


def arrangements_awaiting_decision(*, actor: Actor) -> QuerySet[Arrangement]:
    """Proposals outside the policy, oldest first, with the resident who made them."""
    waiting = _with_account(Arrangement.objects.filter(status=Arrangement.Status.PROPOSED)) \
        .select_related("citizen")
    return scope(actor, waiting, MANAGE).order_by("created", "pk")


def access_arrangement(actor: Actor, uuid: UUID) -> Arrangement:
    """One arrangement with its instalments in order (two queries), or a 404."""
    found = arrangement_list(actor=actor).filter(uuid=uuid).prefetch_related(
        Prefetch("instalments", queryset=Instalment.objects.order_by("number"))).first()
    if found is None:
        raise NotFound("arrangement_not_found", _("No such payment arrangement."))
    return found


def reading_list(*, actor: Actor) -> QuerySet[MeterReading]:
    """Newest reading first, each with its account and municipality."""
    return _visible(actor, _with_account(MeterReading.objects.all())) \
        .order_by("-read_on", "-created", "-pk")


def readings_for_review(*, actor: Actor) -> QuerySet[MeterReading]:
    """Flagged readings nobody has reviewed yet, oldest first."""
    flagged = _with_account(MeterReading.objects.exclude(flag="").filter(
        reviewed_at__isnull=True)).select_related("submitted_by")
    return scope(actor, flagged, MANAGE).order_by("created", "pk")


def access_reading(actor: Actor, uuid: UUID) -> MeterReading:
    found = reading_list(actor=actor).filter(uuid=uuid).first()
    if found is None:
        raise NotFound("reading_not_found", _("No such meter reading."))
    return found
