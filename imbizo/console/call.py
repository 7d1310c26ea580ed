"""Log a case for a caller: find them by phone number (with their open cases), then log
the case on their behalf; a new number is registered as it is logged. The case's
channel is "phone": the agent's actor acts on that channel here."""

import uuid
from dataclasses import replace

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Municipality

from .access import console_view
from .roles import ANSWERING, requires
from .selectors import caller_find, logging_choices
from .services import caller_case_log


class FindForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Caller's phone number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel",
                                                          "autocomplete": "off"}))


class CallCaseForm(forms.Form):
    phone = forms.CharField(widget=forms.HiddenInput, max_length=20)
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    name = forms.CharField(label=gettext_lazy("Caller's name (a new resident)"),
                           required=False, max_length=200)
    municipality = forms.ChoiceField(label=gettext_lazy("Municipality"))
    category = forms.ChoiceField(label=gettext_lazy("Category"))
    ward = forms.IntegerField(label=gettext_lazy("Ward number"), required=False, min_value=1)
    address = forms.CharField(label=gettext_lazy("Address or landmark"), required=False,
                              max_length=300)
    description = forms.CharField(label=gettext_lazy("What is wrong"),
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, *, choices, known: bool, **kwargs):
        super().__init__(data, auto_id="call-%s", **kwargs)
        self.fields["municipality"].choices = choices["municipalities"]
        if len(choices["municipalities"]) == 1:
            self.fields["municipality"].widget = forms.HiddenInput()
            self.fields["municipality"].initial = choices["municipalities"][0][0]
        self.fields["category"].choices = [("", _("Choose a category")),
                                           *choices["categories"]]
        if known:
            del self.fields["name"]


def _error_to(form: forms.Form, error: ImbizoError) -> None:
    """A service error on the field it names, else on the form."""
    names = [error.extra.get("field"), *(error.extra.get("fields") or [])]
    where = {"location": "address", "phone": None}
    field = next((where.get(n, n) for n in names if where.get(n, n) in form.fields), None)
    form.add_error(field, error.message)


def _render(request, *, find, caller=None, form=None, status=200):
    return render(request, "console/call.html",
                  {"find": find, "caller": caller, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@console_view
@requires(ANSWERING)
def call(request):
    """GET ?phone=: the caller and the form; POST: log the case."""
    actor = request.console_actor
    data = request.POST if request.method == "POST" else request.GET
    find = FindForm(data if data.get("phone") else None, auto_id="find-%s")
    if not find.is_valid():
        return _render(request, find=find)
    try:
        caller = caller_find(actor=actor, phone=find.cleaned_data["phone"])
    except ImbizoError as error:
        find.add_error("phone", error.message)
        return _render(request, find=find, status=400 if request.method == "POST" else 200)
    choices = logging_choices(actor=actor)
    known = caller.citizen is not None
    if request.method == "GET":
        form = CallCaseForm(choices=choices, known=known,
                            initial={"phone": caller.phone, "key": uuid.uuid4().hex})
        return _render(request, find=find, caller=caller, form=form)
    form = CallCaseForm(request.POST, choices=choices, known=known)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = caller_case_log(
                actor=replace(actor, channel="phone"), phone=caller.phone,
                name=data.get("name", ""),
                municipality=Municipality.objects.defer("boundary").get(
                    code=data["municipality"]),
                category=data["category"], ward_number=data["ward"], address=data["address"],
                description=data["description"], idempotency_key=f"call:{data['key']}")
        except ImbizoError as error:
            _error_to(form, error)
        else:
            messages.success(request, _("Logged %(ref)s for the caller.")
                             % {"ref": case.reference})
            return redirect("console:case", reference=case.reference)
    return _render(request, find=find, caller=caller, form=form, status=400)
