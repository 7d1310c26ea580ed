"""Writing the directory: entries (contacts, hours, a link) of a municipality or one of its
departments, and the PDF forms they offer (docs/community.md, "Directory").

Staff holding ``community.manage`` where the entry is: a membership narrowed to a
department writes only that department's entries; one narrowed to a ward (a councillor)
none. Every write is audited; values are checked here, so the console, the admin and any
later interface refuse the same things with the same words, on the field concerned.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from imbizo.accounts.models import Department
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Actor, allows, require
from imbizo.geo.models import Municipality

from .directory_models import (
    DESCRIPTION_MAX,
    KEYWORDS_MAX,
    NAME_MAX,
    DirectoryEntry,
    DirectoryForm,
)
from .meetings import MANAGE
from .pdf import pdf_check

FIELDS = ("name", "department", "description", "keywords", "phone", "email", "hours", "url",
          "active")
PHONE = re.compile(r"^[0-9+() -]{3,40}$")


def fold(text: str) -> str:
    """Case-folded, without accents, spaces collapsed: how ``search_text`` is written and a
    search's words read, so that ``LIKE`` matches the same on SQLite and PostgreSQL."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def _require(actor: Actor, municipality_id: int, department_id: int | None) -> None:
    require(actor, MANAGE, municipality_id)
    if not allows(actor, MANAGE, municipality_id=municipality_id, department_id=department_id):
        raise PermissionDenied(_("You may change only your own department's entries."),
                               field="department")


def _line(value, field: str, longest: int, *, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ImbizoError("required", _("This is needed."), field=field)
    if len(text) > longest:
        raise ImbizoError("too_long", _("At most %(n)s characters.") % {"n": longest},
                          field=field)
    return text


def _checked(values: dict, municipality: Municipality) -> dict:
    """Every value of an entry, checked and tidied; a refusal names its field."""
    out = {"name": _line(values.get("name"), "name", NAME_MAX, required=True),
           "keywords": _line(values.get("keywords"), "keywords", KEYWORDS_MAX),
           "hours": _line(values.get("hours"), "hours", 120),
           "active": bool(values.get("active", True))}
    description = str(values.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ImbizoError("too_long", _("At most %(n)s characters.") % {"n": DESCRIPTION_MAX},
                          field="description")
    out["description"] = description
    phone = _line(values.get("phone"), "phone", 40)
    if phone and (not PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 3):
        raise ImbizoError("invalid_phone", _("Give a phone number in digits, like 047 555 "
                                             "0101."), field="phone")
    out["phone"] = phone
    email, url = str(values.get("email") or "").strip(), str(values.get("url") or "").strip()
    try:
        if email:
            validate_email(email)
    except ValidationError:
        raise ImbizoError("invalid_email", _("That is not an e-mail address."),
                          field="email") from None
    try:
        if url:
            URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ImbizoError("invalid_url", _("Give a web address starting with https://."),
                          field="url") from None
    out["email"], out["url"] = email, url
    department = values.get("department")
    if department is not None and department.municipality_id != municipality.pk:
        raise ImbizoError("unknown_department", _("That department is not of %(m)s.")
                          % {"m": municipality.name}, field="department")
    out["department"] = department
    return out


def _search_text(entry: DirectoryEntry) -> str:
    department = entry.department.name if entry.department_id else ""
    return fold(" ".join([entry.name, entry.description, entry.keywords, department]))


def _audit(actor: Actor, action: str, entry: DirectoryEntry, **changes) -> None:
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=entry,
                 municipality_code=entry.municipality.code, changes=changes)


@transaction.atomic
def directory_entry_create(*, actor: Actor, municipality: Municipality, name: str,
                           department: Department | None = None, **values) -> DirectoryEntry:
    """A new entry: ``description``, ``keywords``, ``phone``, ``email``, ``hours``,
    ``url`` and ``active`` as keywords."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ImbizoError("unknown_field", _("Unknown field(s): %(f)s")
                          % {"f": ", ".join(sorted(unknown))})
    require(actor, MANAGE, municipality.pk)
    checked = _checked({**values, "name": name, "department": department}, municipality)
    _require(actor, municipality.pk, department.pk if department else None)
    entry = DirectoryEntry(municipality=municipality, **checked)
    entry.search_text = _search_text(entry)
    entry.save()
    _audit(actor, "community.directory_create", entry, fields=sorted(checked))
    return entry


@transaction.atomic
def directory_entry_update(*, actor: Actor, entry: DirectoryEntry, **changes) -> DirectoryEntry:
    """Change some of an entry's values (the same names as at creation)."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ImbizoError("unknown_field", _("Unknown field(s): %(f)s")
                          % {"f": ", ".join(sorted(unknown))})
    entry = DirectoryEntry.objects.select_for_update(of=("self",)).select_related(
        "municipality", "department").defer("municipality__boundary").get(pk=entry.pk)
    _require(actor, entry.municipality_id, entry.department_id)
    current = {name: getattr(entry, name) for name in FIELDS}
    checked = _checked({**current, **changes}, entry.municipality)
    new_department = checked["department"]
    if new_department != entry.department:
        _require(actor, entry.municipality_id, new_department.pk if new_department else None)
    changed = sorted(name for name in FIELDS if checked[name] != current[name])
    for name in changed:
        setattr(entry, name, checked[name])
    if changed:
        entry.search_text = _search_text(entry)
        entry.save()
        _audit(actor, "community.directory_update", entry, fields=changed)
    return entry


def directory_form_add(*, actor: Actor, entry: DirectoryEntry, title: str,
                       content: bytes) -> DirectoryForm:
    """A PDF form for the entry, checked from its bytes and kept in the default storage
    (the file first: an orphan file is harmless, a row without its file is not)."""
    _require(actor, entry.municipality_id, entry.department_id)
    title = _line(title, "title", NAME_MAX, required=True)
    checked = pdf_check(content)
    form = DirectoryForm(entry=entry, title=title, size=len(content), sha256=checked.sha256)
    form.file.save("form.pdf", ContentFile(checked.content), save=False)
    with transaction.atomic():
        form.save()
        _audit(actor, "community.directory_form_add", entry, form=str(form.uuid),
               title=title, size=form.size)
    return form


def directory_form_remove(*, actor: Actor, form: DirectoryForm) -> None:
    """Take a form down: the row, then its file."""
    entry = form.entry
    _require(actor, entry.municipality_id, entry.department_id)
    name = form.file.name
    with transaction.atomic():
        form.delete()
        _audit(actor, "community.directory_form_remove", entry, form=str(form.uuid))
    form.file.storage.delete(name)
