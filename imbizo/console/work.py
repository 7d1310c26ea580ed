"""A contractor's work orders: only their own. Each with its case's place (and a map
link), its public photos, and the steps the order's state allows: accept or decline,
notes with a photo from the site, complete."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from imbizo.cases.models import WorkOrder
from imbizo.cases.photos import attachment_is_public, photo_url
from imbizo.cases.workorders import (
    workorder_accept,
    workorder_complete,
    workorder_decline,
    workorder_list,
    workorder_note,
)
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor

from .access import console_view
from .roles import CONTRACTING, requires

W = WorkOrder.State
ACTIVE = (W.ISSUED, W.ACCEPTED, W.COMPLETED)


class AcceptForm(forms.Form):
    pass


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why you decline"),
                             widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.ImageField(label=gettext_lazy("Photo from the site"), required=False)


class CompleteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What was done"),
                           widget=forms.Textarea(attrs={"rows": 2}))


# action -> (form, the states it is offered in, what it calls)
STEPS = {
    "accept": (AcceptForm, (W.ISSUED,), lambda a, o, d: workorder_accept(actor=a, order=o)),
    "decline": (DeclineForm, (W.ISSUED,),
                lambda a, o, d: workorder_decline(actor=a, order=o, reason=d["reason"])),
    "note": (NoteForm, (W.ACCEPTED,), lambda a, o, d: workorder_note(
        actor=a, order=o, text=d["text"], photo=d["photo"].read() if d["photo"] else None)),
    "complete": (CompleteForm, (W.ACCEPTED,),
                 lambda a, o, d: workorder_complete(actor=a, order=o, note=d["note"])),
}


def my_orders(actor: Actor):
    """The contractor's own open orders, soonest due first."""
    return workorder_list(actor=actor).filter(contractor=actor.user, state__in=ACTIVE) \
        .order_by("due", "pk")


def _card(order: WorkOrder, bound: dict) -> dict:
    case = order.case
    return {
        "order": order, "case": case,
        "photos": [(photo_url(a, thumbnail=True), photo_url(a))
                   for a in case.attachments.all() if attachment_is_public(a)],
        "osm": (f"https://www.openstreetmap.org/?mlat={case.latitude:.6f}"
                f"&mlon={case.longitude:.6f}#map=18/{case.latitude:.6f}/{case.longitude:.6f}")
        if case.latitude is not None else "",
        # The steps the state offers, and a refused one with its error and text.
        "steps": [(name, bound.get((order.pk, name)) or form(auto_id=f"w{order.pk}{name}-%s"))
                  for name, (form, states, _call) in STEPS.items()
                  if order.state in states or (order.pk, name) in bound],
    }


def _page(request, bound: dict | None = None, status: int = 200):
    cards = [_card(o, bound or {}) for o in my_orders(request.console_actor)]
    return render(request, "console/work.html", {"cards": cards}, status=status)


@require_GET
@console_view
@requires(CONTRACTING)
def work(request):
    return _page(request)


@require_POST
@console_view
@requires(CONTRACTING)
def work_step(request, pk: int, step: str):
    actor = request.console_actor
    order = my_orders(actor).filter(pk=pk).first()
    if order is None or step not in STEPS:
        raise Http404(_("No such work order."))
    form_class, states, perform = STEPS[step]
    form = form_class(request.POST, request.FILES, auto_id=f"w{order.pk}{step}-%s")
    if order.state not in states:
        form.add_error(None, _("This work order has moved on; reload the page."))
    elif form.is_valid():
        try:
            perform(actor, order, form.cleaned_data)
        except ImbizoError as error:
            form.add_error(None, error.message)
    if form.errors:
        return _page(request, {(order.pk, step): form}, status=400)
    messages.success(request, _("Work order %(ref)s/W%(n)s: done.")
                     % {"ref": order.case.reference, "n": order.number})
    return redirect("console:work")
