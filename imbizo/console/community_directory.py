"""The directory in the console: the municipality's entries, adding and changing one, and
its PDF forms (uploaded, checked to be PDFs, taken down), through the community services
(community/directory.py). A department's staff see and change their department's."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imbizo.accounts.models import Department
from imbizo.community.directory import (
    directory_entry_create,
    directory_entry_update,
    directory_form_add,
    directory_form_remove,
)
from imbizo.community.directory_models import DirectoryEntry
from imbizo.community.directory_selectors import access_entry, access_form, directory_list_staff
from imbizo.community.pdf import max_bytes
from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.permissions import allows

from .community_access import community_view
from .community_forms import EntryForm, FormUploadForm
from .revenue_forms import error_to

MANAGE = "community.manage"


def _departments(request) -> list[Department]:
    """The departments the staff member may file entries under."""
    community = request.community
    found = Department.objects.filter(municipality=community.municipality).order_by("name")
    return [d for d in found if allows(community.staff, MANAGE,
                                       municipality_id=d.municipality_id, department_id=d.pk)]


@require_GET
@community_view(whole=True)
def entries(request):
    community = request.community
    return render(request, "console/community/entries.html", {
        "community": community,
        "entries": list(directory_list_staff(actor=community.staff).filter(
            municipality=community.municipality).order_by("name", "pk")),
    })


@require_http_methods(["GET", "POST"])
@community_view(whole=True)
def entry_new(request):
    community = request.community
    form = EntryForm(request.POST or None, departments=_departments(request), auto_id="entry-%s")
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            entry = directory_entry_create(actor=community.staff,
                                           municipality=community.municipality, **values)
        except ImbizoError as error:
            error_to(form, error)
        else:
            messages.success(request, _("Entry added."))
            return redirect(_entry_url(request, entry))
    return render(request, "console/community/entry.html", {
        "community": community, "form": form, "entry": None},
        status=400 if form.errors else 200)


def _entry(request, key) -> DirectoryEntry:
    try:
        entry = access_entry(actor=request.community.staff, key=key)
    except NotFound as error:
        raise Http404(error.message) from None
    if entry.municipality_id != request.community.municipality.pk:
        raise Http404(_("No such directory entry."))
    return entry


def _entry_url(request, entry: DirectoryEntry) -> str:
    return reverse("console:community_entry", args=[entry.uuid]) + request.community.query()


def _initial(entry: DirectoryEntry) -> dict:
    return {"name": entry.name, "department": str(entry.department_id or ""),
            "description": entry.description, "keywords": entry.keywords, "phone": entry.phone,
            "email": entry.email, "hours": entry.hours, "url": entry.url,
            "active": entry.active}


@require_http_methods(["GET", "POST"])
@community_view(whole=True)
def entry(request, key):
    """GET: the entry, its forms and the upload; POST: its changed values."""
    found = _entry(request, key)
    form = EntryForm(request.POST or None, departments=_departments(request),
                     initial=_initial(found), auto_id="entry-%s")
    if request.method == "POST" and form.is_valid():
        try:
            directory_entry_update(actor=request.community.staff, entry=found,
                                   **form.values())
        except ImbizoError as error:
            error_to(form, error)
        else:
            messages.success(request, _("Entry saved."))
            return redirect(_entry_url(request, found))
    return _entry_page(request, found, form, FormUploadForm(auto_id="upload-%s"))


def _entry_page(request, found, form, upload):
    return render(request, "console/community/entry.html", {
        "community": request.community, "form": form, "entry": found, "upload": upload,
        "forms": list(found.forms.order_by("title", "pk")),
        "max_mb": max_bytes() // (1024 * 1024),
    }, status=400 if form.errors or upload.errors else 200)


@require_POST
@community_view(whole=True)
def entry_form_upload(request, key):
    found = _entry(request, key)
    upload = FormUploadForm(request.POST, request.FILES, auto_id="upload-%s")
    if upload.is_valid():
        data = upload.cleaned_data
        try:
            directory_form_add(actor=request.community.staff, entry=found, title=data["title"],
                               content=data["file"].read(max_bytes() + 1))
        except ImbizoError as error:
            error_to(upload, error)
        else:
            messages.success(request, _("Form added."))
            return redirect(_entry_url(request, found))
    form = EntryForm(departments=_departments(request), initial=_initial(found),
                     auto_id="entry-%s")
    return _entry_page(request, found, form, upload)


@require_POST
@community_view(whole=True)
def entry_form_remove(request, key):
    try:
        form = access_form(actor=request.community.staff, key=key)
    except NotFound as error:
        raise Http404(error.message) from None
    entry = form.entry
    try:
        directory_form_remove(actor=request.community.staff, form=form)
    except ImbizoError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Form taken down."))
    return redirect(_entry_url(request, entry))
