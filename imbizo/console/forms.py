"""The console's forms: each parses what one view needs, nothing more."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from imbizo.cases.lifecycle import REJECTION_REASONS
from imbizo.cases.models import Priority, Status

OPEN = "open"


class QuickSelect(forms.Select):
    """A flat <select> written out in Python. Django renders each option through two
    templates; on the queue page, with a few hundred options in its filter and assign
    lists, that cost more than the fifty rows (bench/console.py)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join("", "<option value=\"{}\"{}>{}</option>", (
            (key, " selected" if str(key) in chosen else "", label)
            for key, label in self.choices))
        return format_html("<select name=\"{}\"{}>{}</select>", name,
                           flatatt(self.build_attrs(self.attrs, attrs)), options)


class QuickChoiceField(forms.ChoiceField):
    widget = QuickSelect


class QuickTypedChoiceField(forms.TypedChoiceField):
    widget = QuickSelect


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username",
                                                             "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("6-digit code from your authenticator app"), regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits your app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True, "size": 8}))

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class QueueFilterForm(forms.Form):
    """The queue's filters; the same keys make a saved view's query string."""

    status = QuickChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Any")), (OPEN, _("Open (any open status)")), *Status.choices])
    category = QuickChoiceField(label=_("Category"), required=False)
    department = QuickChoiceField(label=_("Department"), required=False)
    ward = forms.CharField(label=_("Ward code"), required=False, max_length=20)
    priority = QuickChoiceField(label=_("Priority"), required=False,
                                 choices=[("", _("Any")), *Priority.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    q = forms.CharField(label=_("Reference"), required=False, max_length=24)

    KEYS = ("status", "category", "department", "ward", "priority", "overdue", "mine", "q")

    def __init__(self, data, *, categories, departments):
        super().__init__(data, auto_id="filter-%s")
        self.fields["category"].choices = [("", _("Any")), *categories]
        self.fields["department"].choices = [("", _("Any")), *departments]


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name for this view"), max_length=60)
    query = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class AssignForm(forms.Form):
    """A department, team or person, from the lists the actor may assign to."""

    department = QuickChoiceField(label=_("Department"), required=False)
    team = QuickTypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    assignee = QuickTypedChoiceField(label=_("Person"), required=False, coerce=int,
                                     empty_value=None)

    def __init__(self, data=None, *, choices, **kwargs):
        super().__init__(data, **kwargs)
        none = [("", _("(keep / none)"))]
        self.fields["department"].choices = none + choices["departments"]
        self.fields["team"].choices = none + choices["teams"]
        self.fields["assignee"].choices = none + choices["people"]

    def clean(self):
        data = super().clean()
        if not (data.get("department") or data.get("team") or data.get("assignee")):
            raise forms.ValidationError(_("Choose a department, team or person."))
        return data


class BulkAssignForm(AssignForm):
    cases = forms.MultipleChoiceField(label=_("Cases"), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Tick the cases first.")})

    def __init__(self, data=None, *, choices, references, **kwargs):
        super().__init__(data, choices=choices, auto_id="bulk-%s", **kwargs)
        self.fields["cases"].choices = [(ref, ref) for ref in references]


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(VersionedForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))


class RequiredNoteForm(VersionedForm):
    note = forms.CharField(label=_("What was done (the resident is told)"),
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=list(REJECTION_REASONS.items()))
    note = forms.CharField(label=_("Note"), required=False)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))


class WorkOrderForm(forms.Form):
    contractor = forms.TypedChoiceField(label=_("Contractor"), coerce=int)
    scope = forms.CharField(label=_("Work to be done"), widget=forms.Textarea(attrs={"rows": 2}))
    due = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    estimate = forms.DecimalField(label=_("Estimate (R)"), required=False, max_digits=12,
                                  decimal_places=2, min_value=0)

    def __init__(self, data=None, *, contractors, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["contractor"].choices = [("", _("Choose a contractor")), *contractors]


class SignOffForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}))
    decision = forms.ChoiceField(label=_("Decision"), choices=[
        ("accept", _("Accept the work")), ("back", _("Send back to the contractor"))],
        widget=forms.RadioSelect, initial="accept")
    public = forms.BooleanField(label=_("Tell residents (the note is public)"), required=False)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Reference of the case to keep"), max_length=40)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
