"""The revenue console's forms: each parses what one page needs; the limits themselves
are the billing services' (a refusal comes back on the field it names)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from imbizo.billing.arrangement_models import Arrangement, MeterReading
from imbizo.billing.models import Payment
from imbizo.core.errors import ImbizoError

from .revenue_selectors import LATE, PENDING, RECONCILED


def error_to(form: forms.Form, error: ImbizoError) -> None:
    """A service's refusal on the fields it names (``errors``, else ``field``), else on
    the form: what was typed stays."""
    named = error.extra.get("errors") or {}
    placed = False
    for field, messages in named.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        field = error.extra.get("field")
        form.add_error(field if field in form.fields else None, error.message)


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("Account number or holder's name"), required=False,
                        max_length=200)
    by = forms.ChoiceField(label=_("Search by"), required=False, choices=[
        ("", _("Guess from what I type")), ("number", _("Account number")),
        ("name", _("Holder's name (its start)"))])

    def search_by(self) -> str:
        data = self.cleaned_data
        if data.get("by"):
            return data["by"]
        return "number" if any(ch.isdigit() for ch in data.get("q", "")) else "name"


class ArrangementFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any")), *Arrangement.Status.choices])


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("approve", _("Approve")), ("decline", _("Decline"))])
    reason = forms.CharField(label=_("Reason (the resident is told)"), required=False,
                             max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect, choices=[
        (MeterReading.Review.ACCEPTED, _("Accept as read")),
        (MeterReading.Review.CORRECTED, _("Correct it: bill the value below"))])
    value = forms.CharField(label=_("Corrected reading"), required=False, max_length=20)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("outcome") == MeterReading.Review.CORRECTED and not data.get("value"):
            self.add_error("value", _("Give the value to bill."))
        return data


class PaymentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any")), *Payment.Status.choices])
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    state = forms.ChoiceField(label=_("Reconciliation"), required=False, choices=[
        ("", _("Any")), (PENDING, _("Received, pending")),
        (LATE, _("Late: not in the billing system")), (RECONCILED, _("Reconciled"))])
    since = forms.DateField(label=_("Started on or after"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Started on or before"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, providers: list[str]):
        super().__init__(data, auto_id="pay-%s")
        self.fields["provider"].choices = [("", _("Any")), *((p, p) for p in providers)]


class PolicyForm(forms.Form):
    """The policy's fields as typed; their limits are checked by the service."""

    deposit_percent = forms.DecimalField(label=_("Smallest deposit (percent of the arrears)"),
                                         max_digits=5, decimal_places=2)
    deposit_minimum = forms.DecimalField(label=_("Smallest deposit (rand)"), max_digits=14,
                                         decimal_places=2)
    max_months = forms.IntegerField(label=_("Longest plan approved alone (months)"))
    min_instalment = forms.DecimalField(label=_("Smallest monthly instalment (rand)"),
                                        max_digits=14, decimal_places=2)
    broken_lookback_months = forms.IntegerField(
        label=_("Months a broken arrangement sends the next to staff (0: never)"))
    auto_approve_max_arrears = forms.DecimalField(
        label=_("Largest arrears approved alone (rand)"), max_digits=14, decimal_places=2)
    deposit_due_days = forms.IntegerField(label=_("Days after approval the deposit is due"))
    reminder_days = forms.IntegerField(label=_("Days before a due date the resident is "
                                               "reminded"))
    broken_after_days = forms.IntegerField(label=_("Days overdue that break an arrangement"))
