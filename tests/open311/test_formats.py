import pytest

from .helpers import BASE, errors, xml

AAA = {"jurisdiction_id": "AAA"}


def test_text_is_escaped_and_control_characters_dropped_in_xml(o311, log_case):
    case = log_case(description='Pipe <burst> & "leaking"\x01 — sluit </request> ]]>')
    root = xml(o311("requests.xml", AAA))
    assert root.find("request/description").text == (
        'Pipe <burst> & "leaking" — sluit </request> ]]>')
    (request,) = o311("requests.json", AAA).json()
    assert request["description"] == case.description  # JSON can carry it as it is


def test_json_is_utf8(o311, log_case):
    log_case(description="Umgodi omkhulu — ë")
    response = o311("requests.json", AAA)
    assert "Umgodi omkhulu — ë".encode() in response.content


@pytest.mark.parametrize("path", ["services.csv", "requests.html", "discovery.yaml",
                                  "services/pothole.txt"])
def test_an_unsupported_format_is_404(o311, municipalities, path):
    (error,) = errors(o311(path, AAA), 404)
    assert "Unknown format" in error["description"]


@pytest.mark.parametrize("path", ["", "services", "requests", "v3/services.json"])
def test_anything_else_under_the_prefix_is_404_in_the_spec_format(o311, municipalities, path):
    (error,) = errors(o311(path), 404)
    assert error["code"] == 404


@pytest.mark.parametrize("method, path, allow", [
    ("delete", "requests.json", "GET, HEAD, POST"),
    ("put", "services.json", "GET, HEAD"),
    ("post", "services/pothole.xml", "GET, HEAD"),
    ("post", "requests/AAA-2501-0001-0.json", "GET, HEAD"),
    ("patch", "discovery.json", "GET, HEAD"),
])
def test_a_wrong_method_is_405(client, municipalities, method, path, allow):
    response = getattr(client, method)(f"{BASE}/{path}")
    fmt = path.rsplit(".", 1)[1]
    (error,) = errors(response, 405, fmt)
    assert method.upper() in error["description"]
    assert response["Allow"] == allow


def test_head_is_answered_like_get(client, municipalities):
    response = client.head(f"{BASE}/services.json", AAA)
    assert response.status_code == 200
