"""The two wire formats GeoReport v2 defines: XML (required) and JSON (its Spark mapping).

Views build plain dicts and lists once; this module writes them either way, so the two
formats can never disagree. XML is built with ElementTree, which escapes every value.
"""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

# The element each list holds, as the specification names them.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}

# Characters XML 1.0 cannot carry at all, even escaped (control characters).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def w3_datetime(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset (the W3C profile the spec requires), in local time."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        element.extend(_element(key, item) for key, item in value.items())
    elif isinstance(value, list):
        element.extend(_element(ITEM_TAGS[tag], item) for item in value)
    else:
        element.text = _text(value)
    return element


def xml_bytes(root: str, data: dict | list) -> bytes:
    return XML_DECLARATION + ET.tostring(_element(root, data), encoding="utf-8",
                                         xml_declaration=False)


def render(fmt: str, root: str, data: dict | list, *, status: int = 200) -> HttpResponse:
    """``root`` is the XML root element; JSON has no root (a list or an object)."""
    if fmt == "xml":
        body = xml_bytes(root, data)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
