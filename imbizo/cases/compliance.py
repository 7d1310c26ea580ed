"""Service-level compliance per department and category: aggregates only, so analysts
may read them. Groups smaller than MIN_CELL are suppressed (POPIA: no cell under 5)."""

from datetime import datetime

from django.db.models import Avg, Count, F, Q

from imbizo.core.errors import PermissionDenied
from imbizo.core.permissions import Actor

from .models import OPEN_STATUSES, Case, Status

MIN_CELL = 5
FINISHED = (Status.RESOLVED, Status.CLOSED)


def sla_compliance(*, actor: Actor, municipality_id: int, since: datetime,
                   until: datetime, by: str = "department") -> list[dict]:
    """Rows of {group, cases, resolved, met, breached, met_share, open_overdue, rating}."""
    if not actor.has("analytics.view", municipality_id):
        raise PermissionDenied()
    field = {"department": "department__name", "category": "category__name"}[by]
    rows = (Case.objects.filter(municipality_id=municipality_id, created__gte=since,
                                created__lt=until)
            .values(group=F(field))
            .annotate(
                cases=Count("pk"),
                resolved=Count("pk", filter=Q(status__in=FINISHED)),
                met=Count("pk", filter=Q(status__in=FINISHED, resolve_breached=False)),
                breached=Count("pk", filter=Q(resolve_breached=True)),
                open_overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES,
                                                  resolve_due__lt=until)),
                rating=Avg("rating"))
            .order_by("group"))
    result = []
    for row in rows:
        if row["cases"] < MIN_CELL:
            continue
        row["met_share"] = round(row["met"] / row["resolved"], 3) if row["resolved"] else None
        row["rating"] = round(row["rating"], 2) if row["rating"] is not None else None
        result.append(row)
    return result
