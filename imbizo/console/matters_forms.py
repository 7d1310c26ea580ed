"""The forms of the councillor's matters pages: each parses what one step needs; the
matters services check everything again and their refusals come back on the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from imbizo.cases.selectors import category_list
from imbizo.cases.standard import category_name
from imbizo.geo.models import Municipality
from imbizo.matters.limits import ANSWER_MAX_LENGTH, NOTE_MAX_LENGTH
from imbizo.matters.models import Kind, Status

from .forms import QuickChoiceField


class MatterFilterForm(forms.Form):
    status = QuickChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Open (not closed)")), *Status.choices, ("all", _("Any"))])
    kind = QuickChoiceField(label=_("Kind"), required=False,
                            choices=[("", _("Any")), *Kind.choices])


class AcknowledgeForm(forms.Form):
    pass


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer (the resident reads it; so do neighbours if the "
                                   "matter is public)"), max_length=ANSWER_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("A word to the resident (optional)"), required=False,
                           max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


def category_choices(municipality: Municipality) -> list[tuple[str, str]]:
    """The categories a case can be logged under, named as residents see them."""
    found = sorted(((c.code, category_name(c.name)) for c in
                    category_list(municipality_code=municipality.code)), key=lambda c: c[1])
    return [("", _("Choose…")), *found]


class ReferForm(NoteForm):
    category = QuickChoiceField(label=_("Department's category"))

    field_order = ["category", "note"]

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(municipality)
