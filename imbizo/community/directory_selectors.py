"""Reading the directory: the public search (the API, the site, the flows) and the staff's
list.

A search keeps entries of one municipality whose ``search_text`` holds every word asked
for (``LIKE '%word%'`` on one column, the words folded as the text was: the same answer on
SQLite and PostgreSQL), names matching first. Index strategy: the municipality's active
entries are found by ``community_directory_list`` (municipality, active, name) and only
those few hundred rows are scanned for the words; a national directory of many thousand
entries per municipality would want a trigram index (``pg_trgm``) on ``search_text`` on
PostgreSQL, which the query can use unchanged.
"""

from uuid import UUID

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError, NotFound
from imbizo.core.permissions import Actor, scope
from imbizo.geo.models import Municipality

from .directory import fold
from .directory_models import DirectoryEntry, DirectoryForm
from .meetings import MANAGE

MAX_WORDS, MAX_QUERY = 6, 100
LISTED = 20


def search_words(q: str) -> list[str]:
    """The words of a search, folded; a search of nothing is refused, as is one too long."""
    if len(q or "") > MAX_QUERY:
        raise ImbizoError("query_too_long", _("Search with a few words (at most %(n)s "
                                              "characters).") % {"n": MAX_QUERY}, field="q")
    words = [w for w in fold(q).split() if w]
    if not words:
        raise ImbizoError("query_empty", _("Type a word to search for, like water or "
                                           "clinic."), field="q")
    return words[:MAX_WORDS]


def _shown(queryset: QuerySet) -> QuerySet:
    forms = DirectoryForm.objects.order_by("title", "pk").only(
        "uuid", "title", "size", "entry_id")
    return queryset.select_related("department").prefetch_related(
        Prefetch("forms", queryset=forms, to_attr="form_list"))


def directory_search(*, municipality: Municipality, q: str,
                     limit: int = LISTED) -> list[DirectoryEntry]:
    """Active entries holding every word of ``q``: entries whose name holds the first word
    first, then by name. Two queries (the entries, their forms)."""
    words = search_words(q)
    found = DirectoryEntry.objects.filter(municipality=municipality, active=True)
    for word in words:
        found = found.filter(search_text__contains=word)
    first = Case(When(name__icontains=words[0], then=Value(0)), default=Value(1),
                 output_field=IntegerField())
    return list(_shown(found).annotate(rank=first).order_by("rank", "name", "pk")[:limit])


def directory_list(*, municipality: Municipality, limit: int = 200) -> list[DirectoryEntry]:
    """Every active entry of the municipality, by name (the site's page before a search)."""
    return list(_shown(DirectoryEntry.objects.filter(municipality=municipality, active=True))
                .order_by("name", "pk")[:limit])


def directory_list_staff(*, actor: Actor) -> QuerySet[DirectoryEntry]:
    """The entries the actor may change: their municipalities', or their department's."""
    return _shown(scope(actor, DirectoryEntry.objects.all(), MANAGE,
                        department_field="department")).select_related("municipality") \
        .defer("municipality__boundary")


def _uuid(key, code: str) -> UUID:
    try:
        return key if isinstance(key, UUID) else UUID(str(key))
    except ValueError:
        raise NotFound(code, _("Not found.")) from None


def access_entry(*, actor: Actor, key) -> DirectoryEntry:
    entry = directory_list_staff(actor=actor).filter(uuid=_uuid(key, "entry_not_found")).first()
    if entry is None:
        raise NotFound("entry_not_found", _("No such directory entry."))
    return entry


def directory_form_public(key) -> DirectoryForm:
    """A form of an active entry, for anyone to download."""
    form = DirectoryForm.objects.select_related("entry").filter(
        uuid=_uuid(key, "form_not_found"), entry__active=True).first()
    if form is None:
        raise NotFound("form_not_found", _("No such form."))
    return form


def access_form(*, actor: Actor, key) -> DirectoryForm:
    """A form of an entry the actor may change."""
    form = DirectoryForm.objects.select_related("entry").filter(
        uuid=_uuid(key, "form_not_found"),
        entry__in=directory_list_staff(actor=actor).values("pk")).first()
    if form is None:
        raise NotFound("form_not_found", _("No such form."))
    return form

