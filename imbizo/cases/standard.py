"""The standard category tree a municipality starts with, with service levels.

Department codes match those the demo (and a new municipality) creates. Hours are
working hours unless the category is an emergency or runs on calendar time.
"""

STANDARD_CATEGORIES = [
    {"code": "water", "name": "Water & sanitation", "department": "water", "children": [
        {"code": "burst-pipe", "name": "Burst pipe", "priority": "high", "ack_hours": 2,
         "resolve_hours": 24, "calendar": "calendar", "duplicate_radius_m": 150,
         "keywords": "water,pipe,burst,leak"},
        {"code": "no-water", "name": "No water", "priority": "high", "ack_hours": 4,
         "resolve_hours": 24, "duplicate_radius_m": 500},
        {"code": "water-leak", "name": "Leak", "priority": "normal", "ack_hours": 8,
         "resolve_hours": 72, "duplicate_radius_m": 100},
        {"code": "sewage-spill", "name": "Sewage spill", "priority": "high", "ack_hours": 4,
         "resolve_hours": 24, "duplicate_radius_m": 150},
        {"code": "water-meter", "name": "Faulty water meter", "priority": "low",
         "ack_hours": 16, "resolve_hours": 120, "location_required": False,
         "duplicate_radius_m": 0,
         "fields": [{"code": "meter_number", "label": "Meter number", "required": True,
                     "datatype": "string"}]},
    ]},
    {"code": "electricity", "name": "Electricity", "department": "electricity", "children": [
        {"code": "outage", "name": "Power outage", "priority": "high", "ack_hours": 2,
         "resolve_hours": 12, "calendar": "calendar", "duplicate_radius_m": 500},
        {"code": "streetlight", "name": "Streetlight out", "priority": "low", "ack_hours": 16,
         "resolve_hours": 120, "duplicate_radius_m": 50,
         "fields": [{"code": "pole_number", "label": "Pole number", "required": False,
                     "datatype": "string"}]},
        {"code": "illegal-connection", "name": "Illegal connection", "priority": "normal",
         "ack_hours": 8, "resolve_hours": 120, "duplicate_radius_m": 100, "public": False},
    ]},
    {"code": "roads", "name": "Roads & stormwater", "department": "roads", "children": [
        {"code": "pothole", "name": "Pothole", "priority": "normal", "ack_hours": 16,
         "resolve_hours": 240, "duplicate_radius_m": 30, "photo_required": False},
        {"code": "blocked-drain", "name": "Blocked stormwater drain", "priority": "normal",
         "ack_hours": 8, "resolve_hours": 72, "duplicate_radius_m": 50},
    ]},
    {"code": "waste", "name": "Waste", "department": "waste", "children": [
        {"code": "missed-collection", "name": "Missed refuse collection", "priority": "normal",
         "ack_hours": 8, "resolve_hours": 48, "duplicate_radius_m": 100},
        {"code": "illegal-dumping", "name": "Illegal dumping", "priority": "normal",
         "ack_hours": 16, "resolve_hours": 120, "duplicate_radius_m": 100},
    ]},
    {"code": "emergency", "name": "Emergency", "department": "fire", "children": [
        {"code": "fire", "name": "Fire", "priority": "emergency", "ack_hours": 0.25,
         "resolve_hours": 4, "duplicate_radius_m": 300, "public": False},
        {"code": "flooding", "name": "Flooding", "priority": "emergency", "ack_hours": 0.5,
         "resolve_hours": 12, "duplicate_radius_m": 500},
    ]},
]
