"""Community meetings on the site: those coming up in the resident's ward and municipality,
one meeting's page, and a signed-in resident's answer (yes, no, maybe) with three buttons
that post a form, no JavaScript. The rules are the community services' (community/rsvp.py):
a meeting that has started, is over or was cancelled says so."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from imbizo.community.meeting_models import Meeting, Rsvp
from imbizo.community.meeting_selectors import meeting_public, meetings_upcoming, rsvp_answer
from imbizo.community.rsvp import rsvp_give
from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.geo.models import Ward

from .pages import home_municipality, page
from .session import citizen_actor, request_citizen


def municipality_wards(municipality_id: int) -> list[tuple[int, str]]:
    """(ward number, its suburbs on one line), from the configuration memo."""
    def load():
        return [(n, ", ".join(s.split("\n")[:3]).strip()) for n, s in
                Ward.objects.filter(municipality_id=municipality_id).order_by("number")
                .values_list("number", "suburbs")]
    return config_cache.get(("web_wards", municipality_id), load)


def _ward_number(request: HttpRequest, municipality, citizen) -> int | None:
    asked = request.GET.get("ward", "")
    if asked.isdigit():
        return int(asked)
    if asked == "" and citizen and citizen.ward_id and \
            citizen.municipality_id == municipality.pk:
        return Ward.objects.filter(pk=citizen.ward_id).values_list("number", flat=True).first()
    return None  # "all": every meeting of the municipality


@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    municipality = home_municipality(request, request.GET.get("m", ""))
    if municipality is None:
        return page(request, "web/community/meetings.html", {"choose": True})
    citizen = request_citizen(request)
    number = _ward_number(request, municipality, citizen)
    ward = Ward.objects.filter(municipality=municipality, number=number).defer(
        "boundary").first() if number else None
    return page(request, "web/community/meetings.html", {
        "municipality": municipality, "ward": ward,
        "wards": municipality_wards(municipality.pk),
        "meetings": meetings_upcoming(municipality=municipality,
                                      ward_id=ward.pk if ward else None)})


def _meeting(key) -> Meeting:
    try:
        return meeting_public(key)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _meeting_page(request: HttpRequest, meeting: Meeting, *, error: str = "",
                  status: int = 200) -> HttpResponse:
    citizen = request_citizen(request)
    answer = rsvp_answer(citizen=citizen, meeting=meeting)
    signin = reverse("web:signin") + "?" + urlencode({"next": request.path})
    return page(request, "web/community/meeting.html", {
        "meeting": meeting, "municipality": meeting.municipality, "answer": answer,
        "answers": Rsvp.Answer.choices, "error": error, "signin": signin,
        "open": meeting.status == Meeting.Status.ANNOUNCED and not _started(meeting)},
        status=status)


def _started(meeting: Meeting) -> bool:
    return meeting.starts <= timezone.now()


@require_GET
def meeting(request: HttpRequest, key) -> HttpResponse:
    return _meeting_page(request, _meeting(key))


@require_POST
def meeting_rsvp(request: HttpRequest, key) -> HttpResponse:
    found = _meeting(key)
    if request_citizen(request) is None:
        return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode(
            {"next": reverse("web:meeting", args=[found.uuid])}))
    try:
        rsvp_give(actor=citizen_actor(request), meeting=found,
                  answer=request.POST.get("answer", ""))
    except ImbizoError as exc:
        return _meeting_page(request, found, error=exc.message, status=exc.status)
    messages.success(request, _("Thank you: your answer is saved. You can change it until "
                                "the meeting starts."))
    return HttpResponseRedirect(reverse("web:meeting", args=[found.uuid]))
