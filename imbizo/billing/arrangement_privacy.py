"""A resident's payment arrangements and meter readings in their export (POPIA s23).

Registered when imported (``BillingConfig.ready``). An erasure (s24) keeps them: an
arrangement and a reading are the municipality's billing records, like the accounts, and
the resident they point to is anonymised by the erasure itself.
"""

from imbizo.accounts.models import Citizen
from imbizo.accounts.privacy import personal_data

from .arrangement_models import Arrangement, MeterReading


def _within(qs, within: set[int] | None):
    return qs if within is None else qs.filter(municipality__in=within)


def arrangements_export(citizen: Citizen, within: set[int] | None) -> dict:
    arrangements = _within(Arrangement.objects.filter(citizen=citizen), within) \
        .select_related("account", "municipality").defer("municipality__boundary") \
        .prefetch_related("instalments").order_by("created", "pk")
    readings = _within(MeterReading.objects.filter(submitted_by=citizen), within) \
        .select_related("account", "municipality").defer("municipality__boundary") \
        .order_by("created", "pk")
    return {
        "arrangements": [{
            "municipality": a.municipality.code, "account": a.account.account_number,
            "created": a.created.isoformat(), "channel": a.channel, "arrears": str(a.arrears),
            "deposit": str(a.deposit), "months": a.months, "status": a.status,
            "reason": a.reason,
            "instalments": [{"number": i.number, "due_date": i.due_date.isoformat(),
                             "amount": str(i.amount), "paid": str(i.paid_amount)}
                            for i in sorted(a.instalments.all(), key=lambda i: i.number)],
        } for a in arrangements],
        "meter_readings": [{
            "municipality": r.municipality.code, "account": r.account.account_number,
            "kind": r.kind, "meter_number": r.meter_number, "value": str(r.value),
            "read_on": r.read_on.isoformat(), "channel": r.channel, "photo": bool(r.photo),
            "created": r.created.isoformat(), "flag": r.flag, "review": r.review,
        } for r in readings],
    }


def arrangements_erase(citizen: Citizen) -> int:
    return 0  # kept: the municipality's billing records (the module says why)


personal_data("billing_arrangements", export=arrangements_export, erase=arrangements_erase)
