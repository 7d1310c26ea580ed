"""The forms of "My account": linking an account (which account, how to prove it is
yours, then the proof) and a query about a bill."""

from django import forms
from django.utils.translation import gettext_lazy as _

from imbizo.billing.money import rands

from .report_forms import photo_checked

METHODS = [("id_number", _("The account holder's ID number")),
           ("sms", _("A PIN by SMS to the phone number on the bill")),
           ("email", _("A PIN by e-mail to the address on the bill"))]


class LinkForm(forms.Form):
    municipality = forms.ChoiceField(label=_("Municipality"))
    account_number = forms.CharField(label=_("Account number"), max_length=32,
                                     help_text=_("As printed on your municipal bill."),
                                     widget=forms.TextInput(attrs={"autocomplete": "off"}))
    method = forms.ChoiceField(label=_("How can we check that the account is yours?"),
                               widget=forms.RadioSelect, choices=METHODS, initial="id_number")

    def __init__(self, *args, municipalities, **kwargs):
        """The municipality is asked only where more than one is served."""
        super().__init__(*args, **kwargs)
        self.municipalities = {m.code: m for m in municipalities}
        if len(municipalities) > 1:
            self.fields["municipality"].choices = [("", "—")] + [
                (m.code, m.name) for m in municipalities]
        else:
            del self.fields["municipality"]

    def chosen_municipality(self):
        code = self.cleaned_data.get("municipality")
        if code is None and len(self.municipalities) == 1:
            return next(iter(self.municipalities.values()))
        return self.municipalities.get(code)


class IdNumberForm(forms.Form):
    proof = forms.CharField(label=_("The account holder's ID number"), max_length=20,
                            help_text=_("13 digits, as in the holder's identity document."),
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "off"}))


class PinForm(forms.Form):
    proof = forms.RegexField(label=_("The 6-digit PIN"), regex=r"^\s*\d{6}\s*$", max_length=8,
                             error_messages={"invalid": _("The PIN has 6 digits.")},
                             widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                           "autocomplete": "one-time-code"}))


class QueryForm(forms.Form):
    """What is wrong, and optionally which statement or line of it; ``token`` makes a
    double submit log one case."""

    about = forms.ChoiceField(label=_("Which part of the bill?"), required=False)
    text = forms.CharField(label=_("What is wrong with your bill?"), min_length=3,
                           max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, statements=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("The account in general"))]
        for statement in statements:
            month = f"{statement.period:%Y-%m}"
            choices.append((month, _("The statement of %(month)s") % {"month": month}))
            choices += [(f"{month}:{line.line}", f"{month} · {line.line}. {line.description} "
                                                 f"({rands(line.amount)})")
                        for line in statement.lines.all()]
        self.fields["about"].choices = choices


# --- a payment arrangement and a meter reading (web/account_arrangement.py,
# web/account_reading.py). The forms take what was typed as text: the billing services
# parse and check it, and their refusals come back on the field they name.
class ArrangementForm(forms.Form):
    deposit = forms.CharField(
        label=_("Deposit you can pay now (rand)"), max_length=20,
        help_text=_("Rands and cents, like 250.00. A larger deposit is more likely to be "
                    "approved at once."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    months = forms.CharField(
        label=_("Months to pay the rest over"), max_length=10,
        help_text=_("From 1 to 60. The same amount each month, due on your bill's due day."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class ReadingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Which meter?"), widget=forms.RadioSelect)
    value = forms.CharField(
        label=_("The numbers on the meter"), max_length=20,
        help_text=_("As they show, such as 04512 or 4512.5: kilolitres for water, kWh for "
                    "electricity."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    read_on = forms.DateField(
        label=_("Date you read it"), help_text=_("Year-month-day, like 2026-07-01."),
        error_messages={"invalid": _("Enter the date as year-month-day, like 2026-07-01.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    meter_number = forms.CharField(label=_("Meter number (optional)"), required=False,
                                   max_length=32)
    meter_replaced = forms.BooleanField(
        label=_("This is a new meter (it was replaced since my last reading)"),
        required=False)
    photo = forms.FileField(label=_("Photo of the meter (optional)"), required=False,
                            help_text=_("JPEG, PNG or WebP."),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds

    def clean_photo(self):
        """Checked as the report form checks photos; billing re-encodes it."""
        return photo_checked(self.cleaned_data.get("photo"))
