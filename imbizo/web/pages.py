"""What every citizen page shows around its content: the resident, the municipality in
the header, the language switcher. One helper, so each view renders the same frame."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from imbizo.core.config_cache import config_cache
from imbizo.geo.models import Municipality
from imbizo.geo.selectors import municipalities_served

from .session import request_citizen

DEMO_CODE = "DMO"  # the generated demo municipality (imbizo/demo), preferred when loaded
# The switcher's languages, each named in itself (the six the site is translated into).
SWITCHER = [("en", "English"), ("zu", "isiZulu"), ("xh", "isiXhosa"), ("af", "Afrikaans"),
            ("st", "Sesotho"), ("tn", "Setswana")]


def served() -> list[Municipality]:
    """The municipalities a resident can pick, from the configuration memo."""
    return config_cache.get(("web_served",), municipalities_served)


def default_municipality(served_list: list[Municipality]) -> Municipality | None:
    """The demo municipality when loaded, else the only one served, else none (a picker)."""
    demo = next((m for m in served_list if m.code == DEMO_CODE), None)
    return demo or (served_list[0] if len(served_list) == 1 else None)


def home_municipality(request: HttpRequest, code: str = "") -> Municipality | None:
    """The municipality a page is about: the one asked for by code, the resident's own,
    or the default."""
    options = served()
    if code:
        found = next((m for m in options if m.code == code.upper()), None)
        if found:
            return found
    citizen = request_citizen(request)
    if citizen and citizen.municipality_id:
        found = next((m for m in options if m.pk == citizen.municipality_id), None)
        if found:
            return found
    return default_municipality(options)


def page(request: HttpRequest, template: str, context: dict | None = None, *,
         status: int = 200) -> HttpResponse:
    context = dict(context or {})
    citizen = request_citizen(request)
    if "municipality" not in context:
        context["municipality"] = home_municipality(request)
    context |= {"citizen": citizen, "switcher": SWITCHER,
                "here": request.get_full_path()}
    return render(request, template, context, status=status)
