"""Debt-recovery campaigns in the revenue console: the municipality's campaigns, a new one
(with who it would reach, before it is created), and one campaign's page: start it, and
what each bucket recovered (billing/campaigns.py, docs/billing.md).

Revenue staff only (``revenue_access.revenue_view``); the services check the same
permission again. Reads go through ``revenue.billing`` (this municipality only), writes
as the staff member (``revenue.staff``), so the audit log names them.
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from imbizo.billing.campaign_models import BUCKET_DAYS, Campaign
from imbizo.billing.campaign_selectors import access_campaign, campaign_list, campaign_results
from imbizo.billing.campaigns import campaign_create, campaign_preview, campaign_start
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.notifications.campaigns import campaign_delivery

from .revenue_access import revenue_view
from .revenue_forms import error_to

LISTED = 50


class CampaignForm(forms.Form):
    """Typed values are checked by ``campaign_create`` (one place for the rules), and kept
    when it refuses them."""

    buckets = forms.MultipleChoiceField(label=gettext_lazy("Oldest arrears"),
                                        widget=forms.CheckboxSelectMultiple)
    min_arrears = forms.CharField(label=gettext_lazy("Arrears of at least (rand)"),
                                  initial="0", max_length=20)
    kind = forms.ChoiceField(label=gettext_lazy("Message"), choices=Campaign.Kind.choices,
                             initial=Campaign.Kind.PAY_OR_ARRANGE)
    window_days = forms.CharField(label=gettext_lazy("Count payments for (days)"),
                                  initial="30", max_length=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buckets"].choices = [
            (str(days), _("%(days)s days or more") % {"days": days}) for days in BUCKET_DAYS]


@require_GET
@revenue_view
def campaigns(request):
    revenue = request.revenue
    return render(request, "console/revenue/campaign_list.html", {
        "revenue": revenue,
        "campaigns": list(campaign_list(actor=revenue.billing).filter(
            municipality=revenue.municipality)[:LISTED]),
    })


@require_http_methods(["GET", "POST"])
@revenue_view
def campaign_new(request):
    """POST ``preview``: who it would reach; POST otherwise: create the draft."""
    revenue = request.revenue
    form = CampaignForm(request.POST or None, auto_id="campaign-%s")
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "preview" in request.POST:
                preview = campaign_preview(actor=revenue.staff,
                                           municipality=revenue.municipality,
                                           buckets=data["buckets"],
                                           min_arrears=data["min_arrears"])
            else:
                campaign = campaign_create(actor=revenue.staff,
                                           municipality=revenue.municipality, **data)
                messages.success(request, _("Campaign created. Check it, then start it."))
                return redirect(reverse("console:revenue_campaign", args=[campaign.pk])
                                + revenue.query())
        except ImbizoError as error:
            error_to(form, error)
    return render(request, "console/revenue/campaign_new.html", {
        "revenue": revenue, "form": form, "preview": preview,
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@revenue_view
def campaign(request, pk: int):
    """GET: the campaign and its results; POST: start it (or start it again)."""
    revenue = request.revenue
    try:
        found = access_campaign(revenue.billing, pk)
    except NotFound as error:
        raise Http404(error.message) from None
    if request.method == "POST":
        try:
            campaign_start(actor=revenue.staff, campaign=found)
        except ImbizoError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Sending. Reminders wait for 07:00 during the quiet "
                                        "hours (20:00 to 07:00)."))
        return redirect(reverse("console:revenue_campaign", args=[found.pk]) + revenue.query())
    preview = campaign_preview(actor=revenue.staff, municipality=revenue.municipality,
                               buckets=found.buckets, min_arrears=found.min_arrears) \
        if found.status == Campaign.Status.DRAFT else None
    return render(request, "console/revenue/campaign_detail.html", {
        "revenue": revenue, "campaign": found, "preview": preview,
        "results": campaign_results(actor=revenue.billing, campaign=found,
                                    delivery=campaign_delivery),
    })
