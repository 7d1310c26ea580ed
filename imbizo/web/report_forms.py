"""The two forms of the fault report: where and what (step 1), then the details, photo
and contact (step 2). Step 1's answers travel with step 2 as hidden fields, so nothing
is kept on the server between the steps."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openlocationcode import openlocationcode as olc

from imbizo.cases.images import image_sniff, unsupported_image
from imbizo.cases.limits import TEXT_MAX_LENGTH
from imbizo.cases.models import Category
from imbizo.cases.selectors import category_for_logging, category_list
from imbizo.cases.standard import category_name
from imbizo.geo.index import ward_index
from imbizo.geo.models import Municipality, Ward
from imbizo.geo.selectors import point_in_first_ward, ward_by_code

MAX_PLACE = 200


def category_choices(municipality: Municipality) -> list:
    """The category tree as option groups: each top-level category heads its group."""
    groups: dict[int, tuple[str, list]] = {}
    for c in sorted(category_list(municipality_code=municipality.code), key=lambda c: c.pk):
        top = c.parent or c
        label, options = groups.setdefault(top.pk, (category_name(top.name), []))
        options.append((c.code, category_name(c.name)) if c.parent else
                       (c.code, _("%(name)s: other") % {"name": category_name(c.name)}))
    return [("", _("Choose…"))] + [(label, sorted(opts, key=lambda o: o[1]))
                                  for label, opts in sorted(groups.values())]


def ward_choices(municipality: Municipality) -> list:
    wards = Ward.objects.filter(municipality=municipality).defer("boundary").order_by("number")
    return [("", _("I don't know"))] + [
        (str(w.number), _("Ward %(n)s") % {"n": w.number}
         + (f" ({', '.join(w.suburbs.splitlines()[:3])})" if w.suburbs else ""))
        for w in wards]



def photo_checked(photo):
    """An uploaded photo, or None: its size first, then its type from its first bytes (the
    name and the browser's content type prove nothing); the case or billing service
    re-encodes it."""
    if not photo:
        return None
    limit = settings.ATTACHMENT_MAX_BYTES
    if photo.size > limit:
        raise forms.ValidationError(
            _("Please send a photo smaller than %(megabytes)s MB.")
            % {"megabytes": f"{round(limit / 2**20, 1):g}"})
    head = photo.read(16)
    photo.seek(0)
    if image_sniff(head) is None:
        raise forms.ValidationError(unsupported_image().message)
    return photo

class PlaceForm(forms.Form):
    m = forms.CharField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=gettext_lazy("What is wrong?"))
    ward = forms.ChoiceField(label=gettext_lazy("Ward"), required=False)
    place = forms.CharField(label=gettext_lazy("Suburb, street or landmark"), required=False,
                            max_length=MAX_PLACE,
                            help_text=gettext_lazy("For example: Main Road, near the clinic."))
    pluscode = forms.CharField(label=gettext_lazy("Plus code (optional)"), required=False,
                               max_length=30,
                               help_text=gettext_lazy("From a map app, like 4RHW+5X."))
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180,
                           max_value=180)

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["category"].choices = category_choices(municipality)
        self.fields["ward"].choices = ward_choices(municipality)

    def clean(self):
        data = super().clean()
        code = data.get("category")
        self.category_obj: Category | None = category_for_logging(self.municipality, code) \
            if code else None
        if code and self.category_obj is None:
            self.add_error("category", _("Choose what is wrong from the list."))
        elif self.category_obj:
            data["category_label"] = category_name(self.category_obj.name)
        point = self._point(data)
        data["point"] = point
        data["ward_obj"] = self._ward(data, point)
        given = point or data["ward_obj"] or data.get("place", "").strip()
        if self.category_obj and self.category_obj.location_required and not given \
                and not self.errors:
            raise forms.ValidationError(
                _("Say where the problem is: choose a ward, or name a street or landmark."))
        return data

    def _point(self, data) -> tuple[float, float] | None:
        code = (data.get("pluscode") or "").strip().upper().replace(" ", "")
        if code:
            if not olc.isValid(code):
                self.add_error("pluscode", _("That is not a plus code."))
                return None
            if olc.isShort(code):
                near = point_in_first_ward(self.municipality)
                if near is None:
                    self.add_error("pluscode", _("Give the whole plus code, with its area."))
                    return None
                code = olc.recoverNearest(code, *near)
            area = olc.decode(code)
            return area.latitudeCenter, area.longitudeCenter
        if data.get("lat") is not None and data.get("lon") is not None:
            return data["lat"], data["lon"]
        return None

    def _ward(self, data, point) -> Ward | None:
        chosen = None
        if data.get("ward"):
            chosen = Ward.objects.defer("boundary").filter(
                municipality=self.municipality, number=data["ward"]).first()
        if point is None:
            return chosen
        found = ward_index.locate(*point)
        located = ward_by_code(found.ward["code"]) if found else None
        field = "pluscode" if data.get("pluscode") else None
        if located is None or located.municipality_id != self.municipality.pk:
            self.add_error(field, _("That place is not in %(muni)s.")
                           % {"muni": self.municipality.name})
            return chosen
        if chosen and chosen.pk != located.pk:
            self.add_error("ward", _("The place you marked is in ward %(n)s.")
                           % {"n": located.number})
        return located


class DetailsForm(forms.Form):
    description = forms.CharField(label=gettext_lazy("Describe the problem"),
                                  max_length=TEXT_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    photo = forms.FileField(label=gettext_lazy("Photo (optional)"), required=False,
                            help_text=gettext_lazy("JPEG, PNG or WebP."),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    name = forms.CharField(label=gettext_lazy("Your name (optional)"), required=False,
                           max_length=120)
    phone = forms.CharField(label=gettext_lazy("Your phone number (optional)"), required=False,
                            max_length=20, help_text=gettext_lazy("We send updates to it."),
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:
            del self.fields["name"], self.fields["phone"]

    def clean_photo(self):
        return photo_checked(self.cleaned_data.get("photo"))
