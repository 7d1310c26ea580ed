"""The agents' inbox: residents who asked for a person on any channel. Take one, read
the transcript (polled every 5 s by htmx; a reload without it), reply, close."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from imbizo.conversations.handover import (
    REPLY_MAX_LENGTH,
    handover_close,
    handover_reply,
    handover_take,
)
from imbizo.conversations.models import Handover
from imbizo.conversations.selectors import access_handover, handover_inbox, handover_messages
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.permissions import Actor, allows

from .access import console_view
from .roles import ANSWERING, requires


class ReplyForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Your reply"), max_length=REPLY_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}))


def who(actor: Actor, handover: Handover) -> str:
    """The resident's name and number for staff who may see residents there."""
    if handover.municipality_id and allows(actor, "citizen.view",
                                           municipality_id=handover.municipality_id):
        name = handover.citizen.name if handover.citizen_id else ""
        return f"{name} ({handover.address})" if name else handover.address
    return _("A resident")


def _handover(actor: Actor, pk: int) -> Handover:
    try:
        return access_handover(actor, pk)
    except NotFound:  # unknown or another municipality's: the same 404
        raise Http404(_("No such conversation.")) from None


@require_GET
@console_view
@requires(ANSWERING)
def inbox(request):
    actor = request.console_actor
    rows = [(h, who(actor, h)) for h in handover_inbox(actor=actor)]
    return render(request, "console/inbox.html", {"rows": rows})


def _page(request, handover: Handover, form=None, status: int = 200):
    actor = request.console_actor
    lines = handover_messages(handover=handover)
    mine = handover.state == Handover.State.TAKEN and handover.agent_id == actor.user.pk
    return render(request, "console/handover.html", {
        "handover": handover, "who": who(actor, handover), "lines": lines, "mine": mine,
        "last": lines[-1].pk if lines else 0, "form": form or ReplyForm(),
        "live": handover.state != Handover.State.CLOSED,
    }, status=status)


@require_GET
@console_view
@requires(ANSWERING)
def conversation(request, pk: int):
    return _page(request, _handover(request.console_actor, pk))


@require_GET
@console_view
@requires(ANSWERING)
def new_lines(request, pk: int):
    """Only the lines after ``after``, and the next poll: what htmx swaps in."""
    handover = _handover(request.console_actor, pk)
    try:
        after = max(int(request.GET.get("after", "0")), 0)
    except ValueError:
        after = 0
    lines = handover_messages(handover=handover, after=after)
    return render(request, "console/_handover_lines.html", {
        "handover": handover, "lines": lines, "last": lines[-1].pk if lines else after,
        "live": handover.state != Handover.State.CLOSED})


@require_POST
@console_view
@requires(ANSWERING)
def take(request, pk: int):
    handover = _handover(request.console_actor, pk)
    try:
        handover_take(actor=request.console_actor, handover=handover)
    except ImbizoError as error:
        messages.error(request, error.message)
    return redirect("console:conversation", pk=handover.pk)


@require_POST
@console_view
@requires(ANSWERING)
def reply(request, pk: int):
    actor = request.console_actor
    handover = _handover(actor, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            handover_reply(actor=actor, handover=handover, text=form.cleaned_data["text"])
        except ImbizoError as error:
            form.add_error(None, error.message)
    if form.errors:
        return _page(request, handover, form, status=400)
    return redirect("console:conversation", pk=handover.pk)


@require_POST
@console_view
@requires(ANSWERING)
def close(request, pk: int):
    handover = _handover(request.console_actor, pk)
    try:
        handover_close(actor=request.console_actor, handover=handover)
    except ImbizoError as error:
        messages.error(request, error.message)
        return redirect("console:conversation", pk=handover.pk)
    messages.success(request, _("Closed; the resident is back with the menu."))
    return redirect("console:inbox")
