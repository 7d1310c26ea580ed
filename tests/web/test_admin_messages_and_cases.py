"""What staff read in the admin: a municipality's messages (recipients masked, the case
each is about) and a case's history and photos."""

import io
import re

import pytest
from PIL import Image

from imbizo.accounts.models import Role
from imbizo.accounts.services import citizen_register
from imbizo.cases.attachments import attachment_add
from imbizo.cases.lifecycle import case_comment
from imbizo.cases.photos import photo_url
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward
from imbizo.messaging.admin import recipient_mask
from imbizo.messaging.services import message_queue

OUTBOX = "/admin/messaging/outboundmessage/"


@pytest.fixture
def login(client, make_staff):
    def as_staff(**membership):
        client.force_login(make_staff(membership).user)
        return client
    return as_staff


def about(case, n: int = 0) -> str:
    return f"case:{case.uuid}:status:{n}:contact"


@pytest.fixture
def outbox(log_case, municipalities):
    """In AAA: an SMS about a pothole and an e-mail about nothing; in BBB: an SMS."""
    aaa, bbb = municipalities
    pothole = log_case("pothole")
    other_town = log_case("pothole", lon=20.35)
    return {
        "sms": message_queue(to="0821234567", channel="sms", purpose="service",
                             body="Imbizo: your pothole is being fixed.", municipality=aaa,
                             dedupe_key=about(pothole)),
        "email": message_queue(to="thandi@example.org", channel="email", purpose="service",
                               body="Water off in ward 2 tomorrow.", municipality=aaa),
        "bbb": message_queue(to="0837654321", channel="sms", purpose="service",
                             body="Imbizo: BBB news.", municipality=bbb,
                             dedupe_key=about(other_town)),
        "pothole": pothole,
    }


def test_recipients_are_masked():
    assert recipient_mask("+27821234567") == "+27 82 *** 4567"
    assert recipient_mask("thandi@example.org") == "t***@example.org"
    assert recipient_mask("") == "-"  # an erased resident's message


def test_staff_see_their_municipalitys_messages_masked_with_the_case(outbox, login,
                                                                     municipalities):
    aaa, _ = municipalities
    page = login(role=Role.AGENT, municipality=aaa).get(OUTBOX)
    text = page.content.decode()
    assert list(page.context["cl"].result_list) == [outbox["email"], outbox["sms"]]
    assert "+27 82 *** 4567" in text and "t***@example.org" in text
    assert "+27821234567" not in text and "thandi@example.org" not in text
    assert "Imbizo: your pothole is being fixed." in text
    assert f'/admin/cases/case/{outbox["pothole"].pk}/change/">{outbox["pothole"].reference}' \
        in text
    assert "BBB news" not in text and "+27 83 *** 4321" not in text


def test_a_message_about_a_case_the_staff_member_cannot_see_names_no_case(outbox, login,
                                                                         municipalities):
    """A councillor sees messages to their ward's residents, and cases of their ward only:
    a resident of ward 2 following a pothole in ward 1."""
    aaa, _ = municipalities
    ward_2 = Ward.objects.get(code="90100002")
    follower = citizen_register(actor=system_actor("sms"), phone="0829990002",
                                municipality=aaa, ward=ward_2)
    message_queue(to=follower.phone, channel="sms", purpose="service", citizen=follower,
                  body="Imbizo: the pothole you follow is fixed.",
                  dedupe_key=about(outbox["pothole"], 1))
    text = login(role=Role.COUNCILLOR, municipality=aaa, ward=ward_2).get(OUTBOX) \
        .content.decode()
    assert "Imbizo: the pothole you follow is fixed." in text  # the resident's message: yes
    assert outbox["pothole"].reference not in text  # a case of another ward: no


def test_the_message_page_is_masked_and_names_its_case(outbox, login, municipalities):
    aaa, _ = municipalities
    page = login(role=Role.AGENT, municipality=aaa).get(f"{OUTBOX}{outbox['sms'].pk}/change/")
    text = page.content.decode()
    assert "+27 82 *** 4567" in text and "+27821234567" not in text
    assert outbox["pothole"].reference in text


def test_the_outbox_filters_by_status_and_channel(outbox, login, municipalities):
    aaa, _ = municipalities
    client = login(role=Role.AGENT, municipality=aaa)
    by_channel = client.get(OUTBOX, {"channel": "email"})
    assert list(by_channel.context["cl"].result_list) == [outbox["email"]]
    assert list(client.get(OUTBOX, {"status": "delivered"}).context["cl"].result_list) == []


def test_staff_of_another_municipality_cannot_open_a_message(outbox, login, municipalities):
    _, bbb = municipalities
    client = login(role=Role.AGENT, municipality=bbb)
    assert client.get(f"{OUTBOX}{outbox['sms'].pk}/change/").status_code == 302


def test_the_outbox_list_runs_a_bounded_number_of_queries(log_case, login, municipalities,
                                                          django_assert_max_num_queries):
    aaa, _ = municipalities
    cases = [log_case("pothole") for _ in range(10)]
    for n in range(30):
        message_queue(to=f"08212{n:05d}", channel="sms", purpose="service", municipality=aaa,
                      body=f"Update {n}", dedupe_key=about(cases[n % 10], n))
    client = login(role=Role.AGENT, municipality=aaa)
    client.get(OUTBOX)
    with django_assert_max_num_queries(9):
        page = client.get(OUTBOX)
    assert len(page.context["cl"].result_list) == 30
    assert len(re.findall(r"/admin/cases/case/\d+/change/", page.content.decode())) == 30


# --- a case's page -------------------------------------------------------------------
@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def test_the_case_page_shows_its_photos_and_history(log_case, resident, login, municipalities,
                                                    department, make_staff):
    aaa, _ = municipalities
    case = log_case("pothole")
    photos = [attachment_add(actor=resident, case=case, data=photo(c)) for c in ("red", "blue")]
    officer = make_staff({"role": Role.OFFICER, "municipality": aaa,
                          "department": department("roads")})
    case_comment(actor=officer, case=case, text="Crew sent on Monday.", public=False)
    client = login(role=Role.OFFICER, municipality=aaa, department=department("roads"))
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    text = page.content.decode()
    for attachment in photos:
        link, thumbnail = photo_url(attachment), photo_url(attachment, thumbnail=True)
        assert f'<a href="{link}"' in text and f'<img src="{thumbnail}"' in text
        # The links answer the staff member's session with the photo itself.
        assert client.get(thumbnail)["Content-Type"] == "image/jpeg"
        assert b"".join(client.get(link).streaming_content) == attachment.image.read()
    assert "Crew sent on Monday." in text  # the history, internal notes included
    assert 'name="updates-0-text"' not in text  # read-only

