"""What matters hold about a resident, for their export and erasure (accounts/privacy.py).

Erasure keeps each matter as the record of what the councillor did with it (its kind,
ward, status, the councillor's answers and the case it was referred as), but without the
resident: the link to them and their own words (title and text) go. Their support for
neighbours' suggestions goes too; the counts keep it.
"""

from django.db.models import Q

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import personal_data

from .models import Matter, MatterUpdate, Support


def _within(qs, within: set[int] | None, field: str = "municipality"):
    return qs if within is None else qs.filter(**{f"{field}__in": within})


def matters_export(citizen: Citizen, within: set[int] | None) -> dict:
    raised = _within(Matter.objects.filter(citizen=citizen), within) \
        .select_related("ward", "case").defer("ward__boundary").order_by("created", "pk")
    supports = _within(Support.objects.filter(citizen=citizen), within, "matter__municipality") \
        .select_related("matter").order_by("created", "pk")
    return {
        "raised": [{
            "reference": m.reference, "kind": m.kind, "ward": m.ward.code, "title": m.title,
            "text": m.text, "public": m.public, "status": m.status, "channel": m.channel,
            "created": m.created.isoformat(), "answer": m.answer,
            "case": m.case.reference if m.case_id else None,
        } for m in raised],
        "supported": [{"matter": s.matter.reference, "created": s.created.isoformat()}
                      for s in supports],
    }


def matters_erase(citizen: Citizen) -> int:
    label = f"citizen:{citizen.uuid}"
    theirs = Matter.objects.filter(citizen=citizen)
    # Their own notes (a withdrawal's words), written by them or for them by a key.
    changed = MatterUpdate.objects.filter(matter__in=theirs.values("pk")).filter(
        Q(actor=label) | Q(actor__endswith=f" for {label}")).exclude(text="").update(text="")
    changed += theirs.update(citizen=None, title="", text="")
    return changed + Support.objects.filter(citizen=citizen).delete()[0]


personal_data("matters", export=matters_export, erase=matters_erase)
