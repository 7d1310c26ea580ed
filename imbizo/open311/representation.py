"""Imbizo's categories and cases as GeoReport v2 objects, field by field.

A request never carries who reported it: no name, phone, e-mail, device or account,
only what the spec publishes about the fault itself.
"""

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.cases.models import Case, Category
from imbizo.cases.photos import photo_url

from .formats import w3_datetime

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
LIST_DATATYPES = {"singlevaluelist", "multivaluelist"}


def service_out(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": bool(category.fields),
        "type": "realtime",  # the reference is issued at once: never a token
        "keywords": category.keywords or None,
        "group": category.parent.name if category.parent_id else None,
    }


def _value(value) -> dict:
    if isinstance(value, dict):
        key = value.get("key", value.get("code"))
        return {"key": str(key), "name": str(value.get("name") or value.get("label") or key)}
    return {"key": str(value), "name": str(value)}


def attribute_out(order: int, question: dict) -> dict:
    datatype = question.get("datatype") or ("singlevaluelist" if question.get("values")
                                            else "string")
    attribute = {
        "variable": True,
        "code": question["code"],
        "datatype": datatype if datatype in DATATYPES else "string",
        "required": bool(question.get("required")),
        "datatype_description": question.get("datatype_description") or None,
        "order": order,
        "description": question.get("description") or question.get("label")
        or question["code"],
    }
    if attribute["datatype"] in LIST_DATATYPES:
        attribute["values"] = [_value(v) for v in question.get("values") or []]
    return attribute


def definition_out(category: Category) -> dict:
    return {"service_code": category.code,
            "attributes": [attribute_out(i, q) for i, q in enumerate(category.fields, 1)]}


def service_notice(case: Case) -> str | None:
    """What will happen next, while the case is open."""
    if not case.is_open:
        return None
    if case.department_id is None:
        return _("The call centre will send it to the right department.")
    if case.resolve_due is None:
        return _("%(dept)s will attend to it.") % {"dept": case.department.name}
    return _("%(dept)s will attend to it by %(due)s.") % {
        "dept": case.department.name,
        "due": timezone.localtime(case.resolve_due).strftime("%Y-%m-%d %H:%M")}


def created_out(case: Case, account_id: str | None) -> dict:
    """POST Service Request's answer; account_id is the client's own, echoed."""
    return {"service_request_id": case.reference, "service_notice": service_notice(case),
            "account_id": account_id or None}


def _updated(case: Case):
    """Last change; for a closed request, when it was closed (resolved, in Open311 terms)."""
    if case.is_open:
        return case.updated
    return case.resolved or case.closed or case.updated


def request_out(case: Case, absolute: Callable[[str], str]) -> dict:
    """``case`` comes from selectors.public_requests (status_notes, public_photos)."""
    photos = getattr(case, "public_photos", [])
    # The photo's address answers (api/photos.py): bare for a public case, else signed.
    media_url = absolute(photo_url(photos[0])) if photos else case.extra.get("media_url")
    return {
        "service_request_id": case.reference,
        "status": "open" if case.is_open else "closed",
        "status_notes": getattr(case, "status_notes", None) or None,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description or None,
        "agency_responsible": case.department.name if case.department_id else None,
        "service_notice": service_notice(case),
        "requested_datetime": w3_datetime(case.created),
        "updated_datetime": w3_datetime(_updated(case)),
        "expected_datetime": w3_datetime(case.resolve_due),
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": media_url or None,
    }


def discovery_out(*, url: str, changeset: str, contact: str, key_service: str) -> dict:
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": changeset,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }
