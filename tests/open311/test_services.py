import pytest

from imbizo.accounts.services import department_create
from imbizo.cases.catalogue import categories_install_standard, category_create
from imbizo.core.permissions import system_actor

from .helpers import errors, xml


@pytest.fixture
def only_aaa(two_municipalities):
    """One municipality taking reports (BBB exists but has no categories)."""
    aaa, _ = two_municipalities
    system = system_actor("cli")
    for code in ("water", "electricity", "roads", "waste", "fire"):
        department_create(actor=system, municipality=aaa, code=code, name=code.title())
    categories_install_standard(actor=system, municipality=aaa)
    return aaa


def test_services_lists_reportable_categories_not_groups(o311, municipalities):
    services = o311("services.json", {"jurisdiction_id": "AAA"}).json()
    codes = {s["service_code"] for s in services}
    assert {"pothole", "burst-pipe", "water-meter", "fire"} <= codes
    assert not codes & {"water", "roads", "emergency"}  # groups only hold children
    burst = next(s for s in services if s["service_code"] == "burst-pipe")
    assert burst == {"service_code": "burst-pipe", "service_name": "Burst pipe",
                     "description": None, "metadata": False, "type": "realtime",
                     "keywords": "water,pipe,burst,leak", "group": "Water & sanitation"}
    meter = next(s for s in services if s["service_code"] == "water-meter")
    assert meter["metadata"] is True


def test_services_in_xml(o311, municipalities):
    root = xml(o311("services.xml", {"jurisdiction_id": "AAA"}))
    assert root.tag == "services"
    pothole = next(s for s in root.findall("service") if s.findtext("service_code") == "pothole")
    assert [child.tag for child in pothole] == ["service_code", "service_name", "description",
                                                "metadata", "type", "keywords", "group"]
    assert pothole.findtext("metadata") == "false" and pothole.findtext("type") == "realtime"
    assert pothole.findtext("group") == "Roads & stormwater"


def test_an_inactive_category_is_not_offered(o311, municipalities, department):
    aaa, _ = municipalities
    category_create(actor=system_actor("cli"), municipality=aaa, code="old-thing",
                    name="Old thing", active=False, department=department("roads"))
    codes = {s["service_code"] for s in o311("services.json", {"jurisdiction_id": "AAA"}).json()}
    assert "old-thing" not in codes
    assert errors(o311("services/old-thing.json", {"jurisdiction_id": "AAA"}), 404)


def test_jurisdiction_id_is_required_when_several_municipalities_take_reports(
        o311, municipalities):
    (error,) = errors(o311("services.json"), 400)
    assert error["code"] == 400 and "jurisdiction_id" in error["description"]


def test_jurisdiction_id_may_be_left_out_when_one_municipality_takes_reports(o311, only_aaa):
    assert {s["service_code"] for s in o311("services.json").json()} >= {"pothole"}


def test_an_unknown_jurisdiction_is_404_in_both_formats(o311, municipalities):
    (error,) = errors(o311("services.json", {"jurisdiction_id": "ZZZ"}), 404)
    assert error["code"] == 404 and "ZZZ" in error["description"]
    (error,) = errors(o311("services.xml", {"jurisdiction_id": "ZZZ"}), 404, "xml")
    assert error["code"] == 404


def test_a_service_definition_describes_each_extra_question(o311, municipalities):
    body = o311("services/water-meter.json", {"jurisdiction_id": "AAA"}).json()
    assert body == {"service_code": "water-meter", "attributes": [{
        "variable": True, "code": "meter_number", "datatype": "string", "required": True,
        "datatype_description": None, "order": 1, "description": "Meter number"}]}


def test_a_list_question_gives_its_values_as_key_and_name(o311, municipalities, department):
    aaa, _ = municipalities
    category_create(
        actor=system_actor("cli"), municipality=aaa, code="bins", name="Bins",
        department=department("waste"),
        fields=[{"code": "size", "label": "Bin size", "required": True,
                 "datatype": "singlevaluelist",
                 "values": [{"key": "240", "name": "240 litres"}, "85"]},
                {"code": "note", "label": "Note", "datatype": "text"}])
    root = xml(o311("services/bins.xml", {"jurisdiction_id": "AAA"}))
    assert root.tag == "service_definition" and root.findtext("service_code") == "bins"
    size, note = root.findall("attributes/attribute")
    assert size.findtext("datatype") == "singlevaluelist" and size.findtext("order") == "1"
    assert size.findtext("required") == "true" and size.findtext("variable") == "true"
    assert [(v.findtext("key"), v.findtext("name")) for v in size.findall("values/value")] == [
        ("240", "240 litres"), ("85", "85")]
    assert note.findtext("datatype") == "text" and note.find("values") is None
    assert note.findtext("datatype_description") == ""  # present, empty


def test_an_unknown_service_code_is_404(o311, municipalities):
    (error,) = errors(o311("services/unicorns.json", {"jurisdiction_id": "AAA"}), 404)
    assert "unicorns" in error["description"]
    assert errors(o311("services/unicorns.xml", {"jurisdiction_id": "AAA"}), 404, "xml")
