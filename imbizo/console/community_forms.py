"""The community console's forms. They only parse what was typed; the rules are the
community services', whose refusals come back on the field they name (``error_to``),
with everything typed kept."""

from django import forms
from django.utils.translation import gettext_lazy as _

from imbizo.community.directory_models import DESCRIPTION_MAX, KEYWORDS_MAX, NAME_MAX
from imbizo.community.meeting_models import AGENDA_MAX, REASON_MAX, TITLE_MAX, VENUE_MAX

WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class WhenInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    wards = forms.CharField(
        label=_("Ward numbers"), required=False, max_length=400,
        help_text=_("Like 3, 4. Leave empty for the whole municipality."))
    zone = forms.CharField(
        label=_("Zone (GeoJSON polygon, optional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The wards the zone touches are invited too."))
    venue = forms.CharField(label=_("Venue"), max_length=VENUE_MAX)
    latitude = forms.FloatField(label=_("Latitude (optional)"), required=False)
    longitude = forms.FloatField(label=_("Longitude (optional)"), required=False)
    starts = forms.DateTimeField(label=_("Starts"), input_formats=WHEN_FORMATS,
                                 widget=WhenInput())
    ends = forms.DateTimeField(label=_("Ends"), input_formats=WHEN_FORMATS, widget=WhenInput())
    agenda = forms.CharField(label=_("Agenda"), required=False, max_length=AGENDA_MAX,
                             widget=forms.Textarea(attrs={"rows": 5}))

    def ward_numbers(self) -> list[str]:
        text = self.cleaned_data.get("wards", "")
        return [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (told to those who said they would come)"),
                             required=False, max_length=REASON_MAX)


class EntryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    department = forms.ChoiceField(label=_("Department"), required=False)
    description = forms.CharField(label=_("Description"), required=False,
                                  max_length=DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    keywords = forms.CharField(label=_("Other search words"), required=False,
                               max_length=KEYWORDS_MAX)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    hours = forms.CharField(label=_("Opening hours"), required=False, max_length=120)
    url = forms.CharField(label=_("Web address"), required=False, max_length=200)
    active = forms.BooleanField(label=_("Shown to residents"), required=False, initial=True)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {str(d.pk): d for d in departments}
        self.fields["department"].choices = [("", _("The whole municipality"))] + [
            (str(d.pk), d.name) for d in departments]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["department"] = self.departments.get(data.get("department") or "")
        return data


class FormUploadForm(forms.Form):
    title = forms.CharField(label=_("Form title"), max_length=NAME_MAX)
    file = forms.FileField(label=_("PDF file"))


class ShareForm(forms.Form):
    ussd_code = forms.CharField(label=_("USSD code residents dial"), required=False,
                                max_length=20, help_text=_("Like *120*1234#."))
    code = forms.CharField(label=_("Short link code"), max_length=20,
                           help_text=_("The link is /s/<code>. Changing it ends the old "
                                       "link."))
