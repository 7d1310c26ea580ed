"""A voice to the councillor on the site: raise an issue or a suggestion (signed in),
follow one's own matters and their timeline, and the ward's public list, where a resident
of the ward supports a public suggestion with one button (a POST form, no script). Every
step calls the matters service every channel calls; a refusal keeps what was typed."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imbizo.core.errors import ImbizoError
from imbizo.geo.models import Ward
from imbizo.geo.selectors import ward_by_code
from imbizo.matters.access import is_owner
from imbizo.matters.models import Matter, Status, Support
from imbizo.matters.selectors import (
    access_matter,
    matter_timeline,
    matter_to_support,
    matter_ward,
    matters_mine,
    public_ward,
    ward_public_matters,
)
from imbizo.matters.services import matter_raise
from imbizo.matters.support import matter_support

from .account import sign_in_first
from .language import safe_next
from .matters_forms import MatterForm
from .pages import home_municipality, page, served
from .session import citizen_actor, request_citizen
from .signin import form_error


def _asked_ward(request: HttpRequest) -> Ward | None:
    """A ward named in the address (``?ward=<code>``: "who represents me" links here)."""
    code = request.GET.get("ward", "")
    return ward_by_code(code.strip()) if code else None


@require_http_methods(["GET", "POST"])
def matter_new(request: HttpRequest) -> HttpResponse:
    citizen = request_citizen(request)
    if citizen is None:
        return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode(
            {"next": request.get_full_path()}))
    asked = _asked_ward(request)
    municipality = asked.municipality if asked else \
        home_municipality(request, request.GET.get("m", ""))
    if municipality is None:
        return page(request, "web/matters/pick.html", {"choices": served()})
    form = MatterForm(request.POST or None, municipality=municipality, citizen=citizen)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            matter = matter_raise(actor=citizen_actor(request), kind=data["kind"],
                                  ward=matter_ward(data["ward"]), title=data["title"],
                                  text=data["text"], public=data["public"])
        except ImbizoError as exc:  # on the field it names (text, title, kind, ward)
            form_error(form, exc)
        else:
            messages.success(request, _("Sent to your councillor. Your reference is %(ref)s.")
                             % {"ref": matter.reference})
            return HttpResponseRedirect(reverse("web:matter", args=[matter.reference]))
    elif request.method == "GET":
        form.initial = {"kind": "issue", "ward": asked.code if asked else form.home}
    return page(request, "web/matters/new.html", {"form": form, "municipality": municipality},
                status=400 if form.errors else 200)


@require_GET
def my_matters(request: HttpRequest) -> HttpResponse:
    actor = citizen_actor(request)
    if actor.kind != "citizen":
        return sign_in_first(request)
    return page(request, "web/matters/mine.html", {"matters": matters_mine(actor=actor)})


@require_GET
def matter_page(request: HttpRequest, reference: str) -> HttpResponse:
    """The resident's own matter with its timeline; anyone else sees a public matter as
    the ward's list shows it, and nothing of a private one."""
    actor = citizen_actor(request)
    try:
        matter = access_matter(actor, reference) if actor.kind == "citizen" else None
    except ImbizoError:
        matter = None
    if matter is None:
        try:
            matter = matter_to_support(reference)
        except ImbizoError:
            raise Http404(_("No such matter.")) from None
        if not matter.public:
            raise Http404(_("No such matter."))
    mine = is_owner(actor, matter)
    return page(request, "web/matters/matter.html", {
        "matter": matter, "mine": mine, "updates": matter_timeline(matter) if mine else [],
        "status_labels": dict(Status.choices), "supported": _supported(actor, matter),
        "may_support": _may_support(actor, matter), "municipality": matter.municipality})


def _supported(actor, matter: Matter) -> bool:
    return actor.kind == "citizen" and Support.objects.filter(
        matter=matter, citizen=actor.citizen).exists()


def _may_support(actor, matter: Matter) -> bool:
    return matter.public and matter.kind == "suggestion" and matter.is_open and not (
        actor.kind == "citizen" and matter.citizen_id == actor.citizen.pk)


@require_GET
def ward_matters(request: HttpRequest, code: str) -> HttpResponse:
    try:
        ward = public_ward(code)
        listed = ward_public_matters(ward=ward, cursor=request.GET.get("cursor"))
    except ImbizoError:
        raise Http404(_("No such ward.")) from None
    citizen = request_citizen(request)
    supported = set(Support.objects.filter(
        citizen=citizen, matter__reference__in=[m.reference for m in listed.items])
        .values_list("matter__reference", flat=True)) if citizen and listed.items else set()
    return page(request, "web/matters/ward.html", {
        "ward": ward, "matters": listed.items, "next_cursor": listed.next_cursor,
        "supported": supported, "municipality": ward.municipality,
        "signed_in": citizen is not None, "status_labels": dict(Status.choices),
        "here_ward": citizen is not None and citizen.ward_id == ward.pk})


@require_POST
def matter_support_view(request: HttpRequest, reference: str) -> HttpResponse:
    actor = citizen_actor(request)
    back = safe_next(request, request.POST.get("next"), reverse("web:matter", args=[reference]))
    if actor.kind != "citizen":
        return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode({"next": back}))
    try:
        matter = matter_support(actor=actor, matter=matter_to_support(reference))
    except ImbizoError as exc:
        if exc.code in ("matter_not_found", "invalid_reference"):
            raise Http404(_("No such matter.")) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: you support %(ref)s.")
                         % {"ref": matter.reference})
    return HttpResponseRedirect(back)

