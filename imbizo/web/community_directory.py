"""The municipality's directory on the site: a search box, the entries found (or all of
them before a search) with their numbers, hours and links, and their PDF forms, served as
``application/pdf`` to anyone (they are the municipality's public forms)."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from imbizo.community.directory_selectors import (
    directory_form_public,
    directory_list,
    directory_search,
)
from imbizo.core.errors import ImbizoError, NotFound

from .pages import home_municipality, page


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    municipality = home_municipality(request, request.GET.get("m", ""))
    q = request.GET.get("q", "")
    if municipality is None:
        return page(request, "web/community/directory.html", {"choose": True, "q": q})
    error, status = "", 200
    try:
        entries = directory_search(municipality=municipality, q=q) if q.strip() else \
            directory_list(municipality=municipality)
    except ImbizoError as exc:
        entries, error, status = [], exc.message, exc.status
    return page(request, "web/community/directory.html", {
        "municipality": municipality, "q": q, "entries": entries, "error": error,
        "searched": bool(q.strip())}, status=status)


@require_GET
def directory_form(request: HttpRequest, key) -> FileResponse:
    try:
        form = directory_form_public(key)
    except NotFound as exc:
        raise Http404(exc.message) from None
    try:
        handle = form.file.open("rb")
    except FileNotFoundError:
        raise Http404("file gone") from None
    response = FileResponse(handle, content_type="application/pdf",
                            filename=f"{slugify(form.title) or 'form'}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    response["ETag"] = f'"{form.sha256}"'
    return response
