from .helpers import xml


def test_discovery_lists_the_v2_endpoint_with_an_absolute_url(o311, municipalities):
    body = o311("discovery.json").json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["changeset"] == body["changeset"] and "+02:00" in body["changeset"]


def test_discovery_in_xml_has_the_same_structure(o311, municipalities):
    root = xml(o311("discovery.xml"))
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml",
                                                                      "application/json"]


def test_discovery_without_an_extension_is_json(o311, db):
    response = o311("discovery")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["endpoints"][0]["url"] == "http://testserver/open311/v2"
