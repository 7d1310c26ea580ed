"""The standard category tree a municipality starts with, with service levels.

Department codes match those the demo (and a new municipality) creates. Hours are
working hours unless the category is an emergency or runs on calendar time.

Names and field labels are stored as written here (English) and marked for the
translation catalogs, so that the channels show a resident the name in their language
(``category_name``); a name a municipality wrote itself is shown as written.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _  # marked here, translated when shown


def category_name(name: str) -> str:
    """A category's name (or field label) in the active language, if it is a standard
    one the catalogs translate; otherwise as the municipality wrote it."""
    return gettext(name) if name else name


STANDARD_CATEGORIES = [
    {"code": "water", "name": _("Water & sanitation"), "department": "water", "children": [
        {"code": "burst-pipe", "name": _("Burst pipe"), "priority": "high", "ack_hours": 2,
         "resolve_hours": 24, "calendar": "calendar", "duplicate_radius_m": 150,
         "keywords": "water,pipe,burst,leak"},
        {"code": "no-water", "name": _("No water"), "priority": "high", "ack_hours": 4,
         "resolve_hours": 24, "duplicate_radius_m": 500},
        {"code": "water-leak", "name": _("Leak"), "priority": "normal", "ack_hours": 8,
         "resolve_hours": 72, "duplicate_radius_m": 100},
        {"code": "sewage-spill", "name": _("Sewage spill"), "priority": "high", "ack_hours": 4,
         "resolve_hours": 24, "duplicate_radius_m": 150},
        {"code": "water-meter", "name": _("Faulty water meter"), "priority": "low",
         "ack_hours": 16, "resolve_hours": 120, "location_required": False,
         "duplicate_radius_m": 0,
         "fields": [{"code": "meter_number", "label": _("Meter number"), "required": True,
                     "datatype": "string"}]},
    ]},
    {"code": "electricity", "name": _("Electricity"), "department": "electricity", "children": [
        {"code": "outage", "name": _("Power outage"), "priority": "high", "ack_hours": 2,
         "resolve_hours": 12, "calendar": "calendar", "duplicate_radius_m": 500},
        {"code": "streetlight", "name": _("Streetlight out"), "priority": "low", "ack_hours": 16,
         "resolve_hours": 120, "duplicate_radius_m": 50,
         "fields": [{"code": "pole_number", "label": _("Pole number"), "required": False,
                     "datatype": "string"}]},
        {"code": "illegal-connection", "name": _("Illegal connection"), "priority": "normal",
         "ack_hours": 8, "resolve_hours": 120, "duplicate_radius_m": 100, "public": False},
    ]},
    {"code": "roads", "name": _("Roads & stormwater"), "department": "roads", "children": [
        {"code": "pothole", "name": _("Pothole"), "priority": "normal", "ack_hours": 16,
         "resolve_hours": 240, "duplicate_radius_m": 30, "photo_required": False},
        {"code": "blocked-drain", "name": _("Blocked stormwater drain"), "priority": "normal",
         "ack_hours": 8, "resolve_hours": 72, "duplicate_radius_m": 50},
    ]},
    {"code": "waste", "name": _("Waste"), "department": "waste", "children": [
        {"code": "missed-collection", "name": _("Missed refuse collection"), "priority": "normal",
         "ack_hours": 8, "resolve_hours": 48, "duplicate_radius_m": 100},
        {"code": "illegal-dumping", "name": _("Illegal dumping"), "priority": "normal",
         "ack_hours": 16, "resolve_hours": 120, "duplicate_radius_m": 100},
    ]},
    {"code": "emergency", "name": _("Emergency"), "department": "fire", "children": [
        {"code": "fire", "name": _("Fire"), "priority": "emergency", "ack_hours": 0.25,
         "resolve_hours": 4, "duplicate_radius_m": 300, "public": False},
        {"code": "flooding", "name": _("Flooding"), "priority": "emergency", "ack_hours": 0.5,
         "resolve_hours": 12, "duplicate_radius_m": 500},
    ]},
    # Questions about a municipal bill (billing.queries.bill_query), for Revenue & Billing.
    # Optional: a municipality without a ``revenue`` department does not get it. Never
    # public: a query is about one resident's account, whose number stays in the extra
    # fields, out of the description.
    {"code": "billing", "name": _("Accounts & billing"), "department": "revenue",
     "optional": True, "children": [
        {"code": "bill-query", "name": _("Bill query"), "priority": "normal", "ack_hours": 8,
         "resolve_hours": 120, "location_required": False, "duplicate_radius_m": 0,
         "public": False,
         "fields": [{"code": "account_number", "label": _("Account number"),
                     "required": False, "datatype": "string"},
                    {"code": "statement_period", "label": _("Statement month"),
                     "required": False, "datatype": "string"},
                    {"code": "statement_line", "label": _("Statement line"),
                     "required": False, "datatype": "string"}]},
    ]},
]
