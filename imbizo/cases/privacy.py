"""What cases hold about a resident, for their export and their erasure (accounts/privacy.py).

Erasure keeps every case: the fault, its place, photos (stripped of metadata when they
were uploaded) and history are the municipality's record of its work. What goes is the
link to the resident, the contact details given with a report, the words of their
feedback and comments, and their follows. The description stays: it describes the fault,
and a case must still be workable; a resident who wrote personal details into it has
them removed by staff editing the case.
"""

from django.db.models import Q

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import matching_any, personal_data

from .models import Attachment, Case, CaseUpdate, Subscription
from .photos import photo_url


def _their_cases(citizen: Citizen):
    """Cases they reported, signed in or leaving their number or address as a contact."""
    conditions = [Q(reporter=citizen)]
    if citizen.phone:
        conditions.append(Q(contact_phone=citizen.phone))
    if citizen.email:
        # The second term is the partial index's own condition, so that it serves.
        conditions.append(Q(contact_email__iexact=citizen.email) & ~Q(contact_email=""))
    return matching_any(Case.objects.all(), conditions)


def _by(citizen: Citizen) -> Q:
    """Rows a resident wrote; the prefix lets the partial ``*_by_resident`` index serve."""
    return Q(actor__startswith="citizen:", actor=f"citizen:{citizen.uuid}")


def _within(qs, within: set[int] | None, field: str = "case__municipality"):
    return qs if within is None else qs.filter(**{f"{field}__in": within})


def cases_export(citizen: Citizen, within: set[int] | None) -> dict:
    reported = _within(_their_cases(citizen), within, "municipality") \
        .select_related("category", "ward").defer("ward__boundary").order_by("created", "pk")
    return {
        "reported": [{
            "reference": c.reference, "category": c.category.code, "status": c.status,
            "description": c.description, "address": c.address, "latitude": c.latitude,
            "longitude": c.longitude, "ward": c.ward.code if c.ward_id else None,
            "contact": {"name": c.contact_name, "phone": c.contact_phone,
                        "email": c.contact_email},
            "channel": c.channel, "created": c.created.isoformat(), "rating": c.rating,
            "feedback": c.feedback,
        } for c in reported],
        "following": list(_within(Subscription.objects.filter(citizen=citizen), within)
                          .order_by("case__reference").values_list("case__reference",
                                                                   flat=True)),
        "comments": [{"case": u.case.reference, "created": u.created.isoformat(),
                      "text": u.text}
                     for u in _within(CaseUpdate.objects.filter(_by(citizen)), within)
                     .exclude(kind=CaseUpdate.Kind.STATUS).select_related("case")
                     .order_by("created", "pk")],
        # Signed for an hour when not public: a copy keeps the photo's uuid for later.
        "photos": [{"case": a.case.reference, "uuid": str(a.uuid), "url": photo_url(a),
                    "created": a.created.isoformat()}
                   for a in _within(Attachment.objects.filter(_by(citizen)), within)
                   .select_related("case__category").order_by("created", "pk")],
    }


def cases_erase(citizen: Citizen) -> int:
    changed = _their_cases(citizen).update(
        reporter=None, contact_name="", contact_phone="", contact_email="", feedback="")
    changed += CaseUpdate.objects.filter(_by(citizen)).exclude(
        kind=CaseUpdate.Kind.STATUS).update(text="")
    changed += Subscription.objects.filter(citizen=citizen).delete()[0]
    return changed


personal_data("cases", export=cases_export, erase=cases_erase)
