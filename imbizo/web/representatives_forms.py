"""The "Who represents me" form: a suburb off the municipality's list, a ward, or the
browser's location (filled in by static/web/representatives.js where there is one)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imbizo.geo.models import Municipality, Ward
from imbizo.representatives.selectors import suburb_wards


class WhereForm(forms.Form):
    m = forms.CharField(widget=forms.HiddenInput)
    suburb = forms.ChoiceField(label=gettext_lazy("Your suburb or village"), required=False)
    ward = forms.ChoiceField(label=gettext_lazy("Or your ward"), required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180,
                           max_value=180)

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["suburb"].choices = [("", _("Choose…"))] + [
            (name, _("%(suburb)s (ward %(n)s)") % {"suburb": name, "n": number})
            for name, number in suburb_wards(municipality)]
        numbers = Ward.objects.filter(municipality=municipality).order_by("number") \
            .values_list("number", flat=True)
        self.fields["ward"].choices = [("", _("Choose…"))] + [
            (str(n), _("Ward %(n)s") % {"n": n}) for n in numbers]

    def clean(self):
        data = super().clean()
        point = data.get("lat") is not None and data.get("lon") is not None
        given = [point, bool(data.get("suburb")), bool(data.get("ward"))]
        if not self.errors and not any(given):
            raise forms.ValidationError(_("Choose your suburb or your ward."))
        if sum(given) > 1:
            raise forms.ValidationError(_("Choose a suburb or a ward, not both."))
        return data

    def place(self) -> dict:
        """The keyword arguments of ``representatives_for`` for what was chosen."""
        data = self.cleaned_data
        if data.get("lat") is not None and data.get("lon") is not None:
            return {"lat": data["lat"], "lon": data["lon"]}  # the point decides the municipality
        if data.get("suburb"):
            return {"suburb": data["suburb"], "municipality": self.municipality}
        return {"ward": int(data["ward"]), "municipality": self.municipality}
