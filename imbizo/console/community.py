"""Community meetings in the console: the meetings the staff member organises, announcing
one (a refusal keeps what was typed, on the field it names), and one meeting's page with
its numbers (yes, no, maybe, by channel) and the cancel button (community/meetings.py)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imbizo.community.meeting_models import Meeting
from imbizo.community.meeting_selectors import (
    access_meeting,
    meeting_list_staff,
    meeting_numbers,
)
from imbizo.community.meetings import meeting_announce, meeting_cancel, ward_grants
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.geo.models import Ward

from .community_access import community_view
from .community_forms import CancelForm, MeetingForm
from .revenue_forms import error_to

LISTED = 50


@require_GET
@community_view()
def meetings(request):
    community = request.community
    found = meeting_list_staff(actor=community.staff).filter(
        municipality=community.municipality)
    return render(request, "console/community/meetings.html", {
        "community": community,
        "upcoming": list(found.filter(ends__gt=timezone.now()).order_by("starts", "pk")
                         [:LISTED]),
        "past": list(found.filter(ends__lte=timezone.now()).order_by("-starts", "-pk")
                     [:LISTED]),
    })


def _own_wards(request) -> str:
    """A councillor's ward numbers, to start the form with."""
    community = request.community
    ids = [m.ward_id for m in ward_grants(community.staff)
           if m.municipality_id == community.municipality.pk]
    numbers = Ward.objects.filter(pk__in=ids).order_by("number").values_list("number",
                                                                             flat=True)
    return ", ".join(map(str, numbers))


@require_http_methods(["GET", "POST"])
@community_view()
def meeting_new(request):
    community = request.community
    form = MeetingForm(request.POST or None, auto_id="meeting-%s",
                       initial={"wards": _own_wards(request)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meeting_announce(
                actor=community.staff, municipality=community.municipality,
                title=data["title"], venue=data["venue"], starts=data["starts"],
                ends=data["ends"], agenda=data["agenda"], wards=form.ward_numbers(),
                zone=data["zone"] or None, latitude=data["latitude"],
                longitude=data["longitude"])
        except ImbizoError as error:
            error_to(form, error)
        else:
            messages.success(request, _("Meeting announced. Residents are told in their "
                                        "language; nothing goes between 20:00 and 07:00."))
            return redirect(reverse("console:community_meeting", args=[meeting.uuid])
                            + community.query())
    return render(request, "console/community/meeting_new.html", {
        "community": community, "form": form}, status=400 if form.errors else 200)


def _meeting(request, key) -> Meeting:
    try:
        meeting = access_meeting(actor=request.community.staff, key=key)
    except NotFound as error:
        raise Http404(error.message) from None
    if meeting.municipality_id != request.community.municipality.pk:
        raise Http404(_("No such meeting."))
    return meeting


@require_GET
@community_view()
def meeting(request, key):
    found = _meeting(request, key)
    return render(request, "console/community/meeting.html", {
        "community": request.community, "meeting": found,
        "numbers": meeting_numbers(actor=request.community.staff, meeting=found),
        "notices": list(found.notices.order_by("created")),
        "cancellable": found.status == Meeting.Status.ANNOUNCED
        and found.ends > timezone.now(),
        "form": CancelForm(auto_id="cancel-%s"),
    })


@require_POST
@community_view()
def meeting_cancel_view(request, key):
    found = _meeting(request, key)
    form = CancelForm(request.POST, auto_id="cancel-%s")
    if form.is_valid():
        try:
            meeting_cancel(actor=request.community.staff, meeting=found,
                           reason=form.cleaned_data["reason"])
        except ImbizoError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Meeting cancelled. Those who said they would come "
                                        "are told."))
    else:
        messages.error(request, _("The reason is too long."))
    return redirect(reverse("console:community_meeting", args=[found.uuid])
                    + request.community.query())
