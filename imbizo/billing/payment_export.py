"""Payments back to the billing system: the CSV it loads (``payments_export``, the
``export-payments`` command), and the reconciliation run after each import
(``payments_reconcile``), which finds the billing system's own transaction for each
payment and so ends its "received, pending" (docs/billing.md, "Payments").
"""

import csv
import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imbizo.audit.services import audit_record
from imbizo.core.permissions import Actor, require
from imbizo.geo.models import Municipality

from .models import Payment, Transaction

logger = logging.getLogger(__name__)

COLUMNS = ("reference", "municipality", "account_number", "amount", "currency", "paid_at",
           "paid_on", "provider", "provider_payment_id")


@dataclass(frozen=True)
class Export:
    batch: uuid.UUID
    count: int
    total: Decimal


def _row(payment: Payment) -> list[str]:
    paid = timezone.localtime(payment.completed)
    return [payment.m_payment_id, payment.municipality.code, payment.account.account_number,
            f"{payment.amount:.2f}", "ZAR", paid.isoformat(timespec="seconds"),
            paid.date().isoformat(), payment.provider, payment.provider_payment_id]


def payments_export(*, actor: Actor, out: TextIO, municipality: Municipality | None = None,
                    since: date | None = None, again: bool = False) -> Export:
    """Write the completed payments not exported before (``again``: exported or not) of
    one municipality or all, paid on or after ``since``, as CSV to ``out``, oldest first,
    and mark them exported in one batch. The rows are locked while written, so two
    exports at once never both carry a payment; a failure while writing marks none."""
    require(actor, "billing.import", municipality.pk if municipality else None)
    batch, now = uuid.uuid4(), timezone.now()
    with transaction.atomic():
        payments = Payment.objects.filter(status=Payment.Status.COMPLETE)
        if municipality is not None:
            payments = payments.filter(municipality=municipality)
        elif not actor.is_global("billing.import"):
            payments = payments.filter(municipality__in=actor.municipality_ids("billing.import"))
        if not again:
            payments = payments.filter(exported__isnull=True)
        if since is not None:
            start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
            payments = payments.filter(completed__gte=start)
        rows = list(payments.select_for_update(of=("self",))
                    .select_related("municipality", "account")
                    .defer("municipality__boundary").order_by("completed", "pk"))
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(_row(p) for p in rows)
        Payment.objects.filter(pk__in=[p.pk for p in rows]).update(
            exported=now, export_batch=batch, updated=now)
        total = sum((p.amount for p in rows), Decimal("0.00"))
        audit_record(actor=actor.label, channel=actor.channel, action="billing.payments_export",
                     object_type="billing.exportbatch", object_id=str(batch),
                     municipality_code=municipality.code if municipality else "",
                     changes={"payments": len(rows), "total": total,
                              "since": since, "again": again})
    return Export(batch, len(rows), total)


@dataclass
class Reconciliation:
    matched: list[Payment] = field(default_factory=list)
    unmatched: list[Payment] = field(default_factory=list)  # completed over N days ago


def _references(payment: Payment) -> set[str]:
    """The references the billing system may have recorded a payment under: ours (as
    written, upper case, without hyphens) or the provider's."""
    ours = payment.m_payment_id
    found = {ours, ours.upper(), payment.uuid.hex, payment.uuid.hex.upper()}
    if payment.provider_payment_id:
        found.add(payment.provider_payment_id)
    return found


def payments_reconcile(*, actor: Actor, municipality: Municipality,
                       days: int | None = None) -> Reconciliation:
    """Match the municipality's completed, unreconciled payments with the billing
    system's transactions of kind payment on the same account whose reference is ours or
    the provider's and whose amount is the payment's (money received is negative there),
    and mark them reconciled. Reports the payments still unmatched ``days`` after they
    were paid (``BILLING_RECONCILE_DAYS``). Run after each import; safe to run again."""
    require(actor, "billing.import", municipality.pk)
    days = settings.BILLING_RECONCILE_DAYS if days is None else days
    waiting = list(Payment.objects.filter(
        municipality=municipality, status=Payment.Status.COMPLETE, reconciled__isnull=True)
        .select_related("account").order_by("completed", "pk"))
    result = Reconciliation()
    if not waiting:
        return result
    wanted = {(p.account_id, ref): p for p in waiting for ref in _references(p)}
    found = Transaction.objects.filter(
        account_id__in={p.account_id for p in waiting}, kind=Transaction.Kind.PAYMENT,
        reference__in={ref for _account, ref in wanted}).values_list(
        "account_id", "reference", "amount")
    now, matches = timezone.now(), {}
    for account_id, reference, amount in found:
        payment = wanted.get((account_id, reference))
        if payment is not None and abs(amount) == payment.amount:
            matches.setdefault(payment.pk, (payment, reference))
    with transaction.atomic():
        for payment, reference in matches.values():
            if Payment.objects.filter(pk=payment.pk, reconciled__isnull=True).update(
                    reconciled=now, reconciled_reference=reference, updated=now):
                payment.reconciled, payment.reconciled_reference = now, reference
                result.matched.append(payment)
        late = now - timedelta(days=days)
        result.unmatched = [p for p in waiting if p.pk not in matches and p.completed < late]
        if result.matched:
            audit_record(actor=actor.label, channel=actor.channel,
                         action="billing.payments_reconcile", object_type="geo.municipality",
                         object_id=municipality.code, municipality_code=municipality.code,
                         changes={"matched": [p.m_payment_id for p in result.matched],
                                  "unmatched_late": len(result.unmatched)})
    if result.unmatched:
        logger.warning("%s: %d payment(s) paid over %d day(s) ago not yet in the billing "
                       "system: %s", municipality.code, len(result.unmatched), days,
                       ", ".join(p.m_payment_id for p in result.unmatched[:20]))
    return result
