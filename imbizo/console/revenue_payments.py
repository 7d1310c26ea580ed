"""Payments and the arrangement policy in the revenue console.

Payments: the municipality's, newest first, filtered by status, provider, reconciliation
state and day, each with where it stands with the billing system (``payment_state``), and
the latest imports' reconciliation reports (``ImportBatch.report``: counts, control
totals against what loaded, rejected rows), the imports that reconcile payments
(``billing.payment_export.payments_reconcile``).

Policy: the municipality's ``ArrangementPolicy`` (or the defaults), saved through
``billing.policy.arrangement_policy_set``, which the admin calls too.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from imbizo.billing.arrangement_terms import policy_for
from imbizo.billing.policy import POLICY_FIELDS, arrangement_policy_set
from imbizo.core.errors import ImbizoError

from .revenue_access import revenue_view
from .revenue_forms import PaymentFilterForm, PolicyForm, error_to
from .revenue_selectors import late_before, late_count, latest_imports, payment_state, payments


@require_GET
@revenue_view
def payment_list(request):
    revenue = request.revenue
    form = PaymentFilterForm(request.GET, providers=sorted(settings.BILLING_PAYMENT_PROVIDERS))
    filters = form.cleaned_data if form.is_valid() else {}
    page = payments(revenue=revenue, filters=filters, cursor=request.GET.get("after"))
    late = late_before()
    kept = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in filters.items() if v}
    return render(request, "console/revenue/payments.html", {
        "revenue": revenue, "form": form,
        "rows": [(p, payment_state(p, late)) for p in page.items],
        "late": late_count(revenue=revenue), "days": settings.BILLING_RECONCILE_DAYS,
        "imports": latest_imports(revenue=revenue),
        "next_url": revenue.query(**kept, after=page.next_cursor) if page.next_cursor else None,
    }, status=200 if form.is_valid() else 400)


@require_http_methods(["GET", "POST"])
@revenue_view
def policy(request):
    revenue = request.revenue
    current = policy_for(revenue.municipality.pk)
    if request.method == "POST":
        form = PolicyForm(request.POST, auto_id="policy-%s")
        if form.is_valid():
            try:
                arrangement_policy_set(actor=revenue.staff, municipality=revenue.municipality,
                                       **form.cleaned_data)
            except ImbizoError as error:
                error_to(form, error)
            else:
                messages.success(request, _("Saved the arrangement policy of %(name)s.")
                                 % {"name": revenue.municipality.name})
                return redirect(reverse("console:revenue_policy") + revenue.query())
    else:
        form = PolicyForm(initial={name: getattr(current, name) for name in POLICY_FIELDS},
                          auto_id="policy-%s")
    return render(request, "console/revenue/policy.html", {
        "revenue": revenue, "form": form, "saved": current.pk is not None,
    }, status=400 if form.errors else 200)
