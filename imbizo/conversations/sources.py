"""Option sources: the lists a flow's menus show (``options_from``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imbizo.cases.models import OPEN_STATUSES, Category
from imbizo.cases.selectors import case_list
from imbizo.cases.standard import category_name
from imbizo.core.config_cache import config_cache
from imbizo.geo.models import Ward
from imbizo.geo.selectors import municipalities_served

from .registry import source

if TYPE_CHECKING:
    from .turn import Turn

# The six languages the channels speak, each named in itself.
LANGUAGES = (("en", "English"), ("zu", "isiZulu"), ("xh", "isiXhosa"), ("af", "Afrikaans"),
             ("st", "Sesotho"), ("tn", "Setswana"))


def category_tree(municipality_id: int) -> list[tuple[str, str, str]]:
    """(code, name, parent code) of the categories a resident can report, from the memo."""
    def load():
        rows = Category.objects.filter(municipality_id=municipality_id, active=True) \
            .values_list("code", "name", "parent__code", "department_id")
        return [(code, name, parent or "", bool(dept)) for code, name, parent, dept in rows]
    rows = config_cache.get(("conversation_categories", municipality_id), load)
    leaves = [(code, name, parent) for code, name, parent, routed in rows if routed]
    groups = {parent for _code, _name, parent in leaves}
    return [(code, name, "") for code, name, parent, routed in rows
            if not routed and code in groups] + leaves


def ward_suburbs(municipality_id: int) -> list[tuple[int, str]]:
    """(ward number, suburb) for each suburb of the municipality's wards, in ward order;
    a ward that lists none stands for itself (suburb "")."""
    def load():
        rows = Ward.objects.filter(municipality_id=municipality_id).order_by("number") \
            .values_list("number", "suburbs")
        return [(number, name.strip()) for number, suburbs in rows
                for name in (suburbs.splitlines() or [""]) if name.strip() or not suburbs.strip()]
    return config_cache.get(("conversation_suburbs", municipality_id), load)


@source("municipalities")
def municipalities(turn: Turn) -> list[tuple[str, str]]:
    return [(str(m.pk), m.name) for m in
            config_cache.get("conversation_municipalities", municipalities_served)]


@source("category_groups")
def category_groups(turn: Turn) -> list[tuple[str, str]]:
    return [(code, category_name(name)) for code, name, parent
            in category_tree(turn.answers["municipality"])
            if not parent and any(p == code for _c, _n, p in
                                  category_tree(turn.answers["municipality"]))]


@source("categories")
def categories(turn: Turn) -> list[tuple[str, str]]:
    group = turn.answers.get("group", "")
    return [(code, category_name(name)) for code, name, parent
            in category_tree(turn.answers["municipality"])
            if parent and parent == group]


@source("my_open_cases")
def my_open_cases(turn: Turn) -> list[tuple[str, str]]:
    cases = case_list(actor=turn.actor()).filter(status__in=OPEN_STATUSES) \
        .order_by("-created")[:20]
    return [(case.reference, f"{case.reference} {category_name(case.category.name)}")
            for case in cases]


@source("languages")
def languages(turn: Turn) -> list[tuple[str, str]]:
    return list(LANGUAGES)
