"""The citizen site's forms: plain Django forms, each control labelled."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Your phone number"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                                          "inputmode": "tel"}))
    channel = forms.ChoiceField(label=_("Send the code by"), initial="sms",
                                widget=forms.RadioSelect,
                                choices=[("sms", "SMS"), ("whatsapp", "WhatsApp")])


class CodeForm(forms.Form):
    code = forms.RegexField(label=_("The 6-digit code"), regex=r"^\s*\d{6}\s*$", max_length=8,
                            error_messages={"invalid": _("The code has 6 digits.")},
                            widget=forms.TextInput(attrs={
                                "inputmode": "numeric", "autocomplete": "one-time-code"}))


class TrackForm(forms.Form):
    reference = forms.CharField(label=_("Reference number"), max_length=30,
                                help_text=_("It looks like DMO-2611-0482-7."))

