"""The profile's forms: the resident's details, and the confirmation of an erasure."""

from django import forms
from django.utils.translation import gettext_lazy as _

from imbizo.accounts.models import Channel, Consent

from .pages import SWITCHER

# The channels a resident may ask to be reached on, where the platform has them.
RESIDENT_CHANNELS = ("sms", "whatsapp", "telegram", "email", "webpush")


def channel_choices() -> list[tuple[str, str]]:
    return [(c, Channel(c).label) for c in RESIDENT_CHANNELS if c in Channel.values]


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    language = forms.ChoiceField(label=_("Language"), choices=SWITCHER)
    preferred_channel = forms.ChoiceField(
        label=_("Send me messages by"), widget=forms.RadioSelect, choices=channel_choices)

    def clean(self):
        data = super().clean()
        if data.get("preferred_channel") == "email" and not data.get("email"):
            self.add_error("email", _("Give an e-mail address to get messages by e-mail."))
        return data


class ChannelToggleForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices)
    on = forms.BooleanField(required=False)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(choices=Consent.Purpose.choices)
    give = forms.BooleanField(required=False)


class EraseForm(forms.Form):
    phone = forms.CharField(label=_("Type your phone number to confirm"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel",
                                                          "autocomplete": "off"}))
