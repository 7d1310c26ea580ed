"""What a resident sends in the web chat: words, a tapped option, a place or a photo,
with the page's message id (so the same form posted twice is one message)."""

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_TEXT = 1000


def new_client_id() -> str:
    return uuid.uuid4().hex


class ChatForm(forms.Form):
    cmid = forms.RegexField(regex=r"^[A-Za-z0-9-]{8,64}$", widget=forms.HiddenInput)
    text = forms.CharField(label=gettext_lazy("Your message"), max_length=MAX_TEXT, required=False)
    choice = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(label=gettext_lazy("Latitude"), required=False, min_value=-90,
                           max_value=90)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), required=False, min_value=-180,
                           max_value=180)
    photo = forms.FileField(label=gettext_lazy("Photo"), required=False)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > settings.ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("The photo is too large: at most %(mb)s MB.")
                % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)})
        return photo

    def clean(self):
        """Which one thing was sent: an option, a photo, a place, else words."""
        data = super().clean()
        if self.errors:
            return data
        has_lat, has_lon = data.get("lat") is not None, data.get("lon") is not None
        if data.get("choice"):
            data["kind"], data["text"] = "choice", data["choice"]
        elif data.get("photo"):
            data["kind"] = "photo"
        elif has_lat or has_lon:
            if not (has_lat and has_lon):
                raise forms.ValidationError(_("Give both the latitude and the longitude."))
            data["kind"] = "location"
        elif data.get("text"):
            data["kind"] = "text"
        else:
            raise forms.ValidationError(_("Type a message or pick an option."))
        return data
