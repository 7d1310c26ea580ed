"""The form a resident raises a matter with: what kind, where (their home ward first,
then every suburb of the municipality), their words, and whether neighbours may see it.
The matters service checks it all again; its refusals come back on the fields."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imbizo.accounts.models import Citizen
from imbizo.geo.models import Municipality
from imbizo.matters.limits import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH
from imbizo.matters.models import Kind
from imbizo.matters.selectors import ward_places


def place_choices(municipality: Municipality, citizen: Citizen | None) -> tuple[list, str]:
    """(ward code, label) options: the resident's home ward first (when it is in
    ``municipality``), then each suburb by name; and the home ward's code ("" if none)."""
    places = ward_places(municipality)
    home = [(code, number, suburb) for pk, code, number, suburb in places
            if citizen is not None and pk == citizen.ward_id]
    choices = [("", _("Choose…"))]
    if home:
        code, number, _suburb = home[0]
        suburbs = ", ".join(suburb for _c, _n, suburb in home if suburb)
        label = _("My ward: ward %(n)s") % {"n": number}
        choices.append((code, f"{label} ({suburbs})" if suburbs else label))
    choices += sorted(((code, _("%(suburb)s (ward %(n)s)") % {"suburb": suburb, "n": number}
                        if suburb else _("Ward %(n)s") % {"n": number})
                       for _pk, code, number, suburb in places), key=lambda c: c[1])
    return choices, home[0][0] if home else ""


class MatterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What is it?"), widget=forms.RadioSelect,
        choices=[(Kind.ISSUE, gettext_lazy("An issue: something wrong in the ward")),
                 (Kind.SUGGESTION, gettext_lazy("A suggestion: an idea for the ward"))])
    ward = forms.ChoiceField(label=gettext_lazy("Where? Your ward, or a suburb"))
    title = forms.CharField(label=gettext_lazy("In a few words (optional)"), required=False,
                            max_length=TITLE_MAX_LENGTH)
    text = forms.CharField(label=gettext_lazy("What do you want to tell your councillor?"),
                           max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}))
    public = forms.BooleanField(
        label=gettext_lazy("Let neighbours see it (without your name) and support it"),
        required=False)

    def __init__(self, *args, municipality: Municipality, citizen: Citizen | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].choices, self.home = place_choices(municipality, citizen)
