"""The nearest-facility form: a kind, and a place given as a suburb off the municipality's
list, a plus code, or the browser's location (hidden fields a script fills). Works
without JavaScript; a GET form, so a result can be bookmarked and the back button keeps
what was chosen."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openlocationcode import openlocationcode as olc

from imbizo.core.errors import ImbizoError
from imbizo.facilities.kinds import KINDS, kind_get
from imbizo.facilities.selectors import ward_middle
from imbizo.geo.models import Municipality, Ward
from imbizo.geo.selectors import point_in_first_ward


def suburb_choices(municipality: Municipality) -> list[tuple[str, str]]:
    """``<ward number>:<suburb>`` for each suburb of the municipality's wards (a ward that
    lists none stands for itself)."""
    rows = Ward.objects.filter(municipality=municipality).order_by("number") \
        .values_list("number", "suburbs")
    found = [("", _("Choose…"))]
    for number, suburbs in rows:
        names = [s.strip() for s in suburbs.splitlines() if s.strip()]
        ward = _("Ward %(n)s") % {"n": number}
        found += [(f"{number}:{name}", f"{name} ({ward})") for name in names] or \
            [(f"{number}:", ward)]
    return found


class NearestForm(forms.Form):
    m = forms.CharField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Looking for"))
    suburb = forms.ChoiceField(label=gettext_lazy("Your suburb"), required=False)
    pluscode = forms.CharField(label=gettext_lazy("Or a plus code"), required=False, max_length=30,
                               help_text=gettext_lazy("From a map app, like 4RHW+5X."))
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, municipality: Municipality | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["kind"].choices = [(k.code, k.label) for k in KINDS.values()]
        if municipality is None:
            del self.fields["suburb"]
        else:
            self.fields["suburb"].choices = suburb_choices(municipality)

    def full_clean(self):
        """A kind not on the list (an old link, a typed address) is refused with the
        facilities' own message, which lists the kinds, rather than the choice field's."""
        super().full_clean()
        if "kind" in self.errors and self.data.get("kind"):
            try:
                kind_get(self.data["kind"])
            except ImbizoError as exc:
                self.errors["kind"] = self.error_class([exc.message])

    def clean(self):
        data = super().clean()
        data["point"], data["from_place"] = self._point(data)
        if data["point"] is None and not self.errors:
            raise forms.ValidationError(
                _("Say where you are: choose your suburb, give a plus code or use your "
                  "location."))
        return data

    def _point(self, data) -> tuple[tuple[float, float] | None, str]:
        """(latitude, longitude) and, for a suburb, its name (distances are from the middle
        of its ward). What the resident typed or chose wins over the browser's location,
        which the page keeps in hidden fields (its script clears the other two)."""
        code = (data.get("pluscode") or "").strip().upper().replace(" ", "")
        if code:
            return self._plus_code(code), ""
        chosen = data.get("suburb") or ""
        if chosen and self.municipality is not None:
            number, _sep, name = chosen.partition(":")
            try:
                point = ward_middle(self.municipality.pk, int(number))
            except ImbizoError as exc:
                self.add_error("suburb", exc.message)
                return None, ""
            return point, name or _("Ward %(n)s") % {"n": number}
        if data.get("lat") is not None and data.get("lon") is not None:
            return (data["lat"], data["lon"]), ""
        return None, ""

    def _plus_code(self, code: str) -> tuple[float, float] | None:
        if not olc.isValid(code):
            self.add_error("pluscode", _("That is not a plus code."))
            return None
        if olc.isShort(code):
            near = point_in_first_ward(self.municipality) if self.municipality else None
            if near is None:
                self.add_error("pluscode", _("Give the whole plus code, with its area."))
                return None
            code = olc.recoverNearest(code, *near)
        area = olc.decode(code)
        return area.latitudeCenter, area.longitudeCenter
