"""A resident's records can lie in several municipalities (they report where they work
too). Staff exporting them hand over their own municipality's records only: the export
once gave an agent of AAA the resident's cases, comments, photos and messages in BBB."""

import io
import json

import pytest
from PIL import Image

from imbizo.accounts.models import Role
from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_export, citizen_register
from imbizo.cases.attachments import attachment_add
from imbizo.cases.lifecycle import case_comment
from imbizo.cases.services import Location, case_log
from imbizo.core.permissions import system_actor
from imbizo.messaging.services import message_queue

HOME, WORK = Location(latitude=-29.95, longitude=20.05), Location(latitude=-29.95,
                                                                  longitude=20.25)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def commuter(municipalities):
    """Lives in AAA, works in BBB: a case, a comment, a photo and a message in each."""
    aaa, bbb = municipalities
    citizen = citizen_register(actor=system_actor("ussd"), phone="0825550123",
                               name="Lerato Molefe", municipality=aaa)
    me = citizen_actor(citizen, channel="ussd")
    cases = {}
    for code, where, colour in (("AAA", HOME, "red"), ("BBB", WORK, "blue")):
        case = case_log(actor=me, category="pothole", description=f"Hole in {code}",
                        location=where)
        case_comment(actor=me, case=case, text=f"Still there in {code}", public=True)
        attachment_add(actor=me, case=case, data=png(colour))
        message_queue(to=citizen.phone, channel="sms", body=f"Logged in {code}",
                      purpose="notifications", citizen=citizen, municipality=case.municipality)
        cases[code] = case
    return citizen, cases


def references(export: dict) -> set[str]:
    parts = export["cases"]
    return ({c["reference"] for c in parts["reported"]} | set(parts["following"])
            | {c["case"] for c in parts["comments"]} | {p["case"] for p in parts["photos"]})


def test_staff_export_only_their_own_municipalitys_records(commuter, make_staff,
                                                           municipalities):
    citizen, cases = commuter
    aaa, _ = municipalities
    for role in (Role.AGENT, Role.MUNICIPAL_ADMIN):
        export = citizen_export(actor=make_staff({"role": role, "municipality": aaa}),
                                citizen=citizen)
        assert references(export) == {cases["AAA"].reference}
        assert [m["body"] for m in export["messages"]] == ["Logged in AAA"]
        assert "BBB" not in json.dumps(export)
        assert export["resident"]["phone"] == citizen.phone  # their own data, whole


def test_the_resident_and_a_platform_administrator_get_everything(commuter, make_staff):
    citizen, cases = commuter
    everyone = {cases["AAA"].reference, cases["BBB"].reference}
    for actor in (citizen_actor(citizen, channel="web"),
                  make_staff({"role": Role.PLATFORM_ADMIN})):
        export = citizen_export(actor=actor, citizen=citizen)
        assert references(export) == everyone
        assert len(export["messages"]) == 2
