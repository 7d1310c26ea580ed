"""Reading Open311 answers in tests: the XML tree and the spec's error list."""

import io
import xml.etree.ElementTree as ET

from PIL import Image

BASE = "/open311/v2"
POTHOLE = {"jurisdiction_id": "AAA", "service_code": "pothole", "lat": "-29.95",
           "long": "20.05", "description": "Deep hole outside no. 12"}


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def errors(response, status: int, fmt: str = "json") -> list[dict]:
    """The spec's error list, whichever format, as dicts; every error's code is the HTTP
    status, so a client may read either."""
    assert response.status_code == status, response.content
    if fmt == "xml":
        root = xml(response)
        assert root.tag == "errors"
        found = [{"code": int(e.findtext("code")), "description": e.findtext("description")}
                 for e in root.findall("error")]
    else:
        assert response["Content-Type"] == "application/json; charset=utf-8"
        found = response.json()
    assert found and all(error["code"] == status for error in found), found
    return found


def photo(colour: str = "red", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()
