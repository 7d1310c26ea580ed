"""Work orders over the API: officers pick contractors from the municipality's list; a
contractor sees where and what for their own orders only; their notes and photos reach
the case's history for staff, never residents."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from imbizo.accounts.models import Membership, Role
from imbizo.api.cases import _detail
from imbizo.api.keys import api_key_create
from imbizo.cases.attachments import attachment_add
from imbizo.cases.models import Case, CaseUpdate, Status, WorkOrder
from imbizo.cases.services import Contact
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


def upload(colour: str = "red") -> io.BytesIO:
    buffer = io.BytesIO(photo(colour))
    buffer.name = "site.png"
    return buffer


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith(code), body
    return body


@pytest.fixture
def world(municipalities, make_staff, department):
    aaa, bbb = municipalities
    system = system_actor("cli")
    paving = make_staff({"role": Role.CONTRACTOR, "municipality": aaa})
    paving.user.first_name, paving.user.last_name = "Paving", "Co"
    paving.user.save(update_fields=["first_name", "last_name"])
    return {
        "key": api_key_create(actor=system, municipality=aaa, name="CRM",
                              role=Role.SUPERVISOR)[1],
        "bbb_key": api_key_create(actor=system, municipality=bbb, name="CRM",
                                  role=Role.SUPERVISOR)[1],
        "agent_key": api_key_create(actor=system, municipality=aaa, name="Desk",
                                    role=Role.AGENT)[1],
        "officer": make_staff({"role": Role.OFFICER, "municipality": aaa,
                               "department": department("roads")}),
        "paving": paving,
        "rival": make_staff({"role": Role.CONTRACTOR, "municipality": aaa}),
        "elsewhere": make_staff({"role": Role.CONTRACTOR, "municipality": bbb}),
    }


@pytest.fixture
def api(client):
    """Call as an API key, or (key=None) as whoever the client is signed in as."""
    def call(method: str, path: str, data=None, key=None):
        headers = {"HTTP_X_API_KEY": key} if key else {}
        if method == "get":
            return client.get(f"/api/v1{path}", data or {}, **headers)
        return client.post(f"/api/v1{path}", data or {}, content_type="application/json",
                           **headers)
    return call


def issue(api, world, case, who="paving"):
    response = api("post", f"/cases/{case.reference}/workorders",
                   {"contractor": world[who].user.pk, "scope": "Patch pothole",
                    "due": (timezone.localdate() + timedelta(days=3)).isoformat()},
                   key=world["key"])
    assert response.status_code == 201, response.content
    return response.json()


def test_officers_pick_contractors_from_their_municipalitys_list(api, world, client):
    Membership.objects.filter(user=world["rival"].user).update(active=False)
    listed = api("get", "/contractors", {"municipality": "AAA"}, key=world["key"]).json()
    assert listed == [{"id": world["paving"].user.pk, "name": "Paving Co"}]  # id and name only
    client.force_login(world["officer"].user)
    assert api("get", "/contractors", {"municipality": "AAA"}).json() == listed
    problem(api("get", "/contractors", {"municipality": "AAA"}, key=world["bbb_key"]), 403,
            "permission_denied")
    problem(api("get", "/contractors", {"municipality": "AAA"}, key=world["agent_key"]), 403,
            "permission_denied")
    problem(api("get", "/contractors", {"municipality": "ZZZ"}, key=world["key"]), 404,
            "unknown_municipality")
    client.force_login(world["paving"].user)  # a contractor sends no work
    problem(api("get", "/contractors", {"municipality": "AAA"}), 403, "permission_denied")


@pytest.mark.parametrize("who", ["officer", "elsewhere", "former", "nobody"])
def test_issuing_to_anyone_but_an_active_contractor_of_the_municipality_is_refused(
        api, world, log_case, who):
    if who == "former":
        Membership.objects.filter(user=world["rival"].user).update(active=False)
    user_id = {"officer": world["officer"].user.pk, "elsewhere": world["elsewhere"].user.pk,
               "former": world["rival"].user.pk, "nobody": 999_999}[who]
    case = log_case()
    response = api("post", f"/cases/{case.reference}/workorders",
                   {"contractor": user_id, "scope": "Patch", "due": "2099-01-31"},
                   key=world["key"])
    assert "contractor" in problem(response, 422, "not_a_contractor")["detail"]
    assert not WorkOrder.objects.exists()
    assert not CaseUpdate.objects.filter(case=case, kind=CaseUpdate.Kind.INTERNAL).exists()


def unsigned(order: dict) -> dict:
    """The order with its photo links' signatures left out: a signature carries the second
    it was made in, so two reads a second apart sign the same photo differently."""
    photos = [{k: url.split("?s=")[0] for k, url in p.items()} for p in order["photos"]]
    return order | {"photos": photos}


def test_a_contractor_sees_where_and_what_with_photos_that_answer(api, world, client, log_case,
                                                                   resident):
    Ward.objects.filter(code="90100001").update(suburbs="Zone 1\nRiverside\n")
    case = log_case(public=False, description="Deep hole outside no. 12")
    attachment_add(actor=resident, case=case, data=photo())
    order_id = issue(api, world, case)["id"]
    client.force_login(world["paving"].user)
    order = api("get", f"/workorders/{order_id}").json()
    assert order["case"] == case.reference and order["contractor_name"] == "Paving Co"
    assert order["description"] == "Deep hole outside no. 12"
    assert (order["latitude"], order["longitude"]) == (case.latitude, case.longitude)
    assert order["ward"] == {"code": "90100001", "number": 1,
                             "suburbs": ["Zone 1", "Riverside"]}
    assert order["address"] == case.address and order["notes"] == []
    (listed,) = api("get", "/workorders").json()
    assert unsigned({k: v for k, v in order.items() if k != "notes"}) == unsigned(listed)
    (picture,) = order["photos"]
    assert "?s=" in picture["url"]  # the case is not public: signed for the contractor
    client.logout()
    assert client.get(picture["url"]).status_code == 200
    assert client.get(picture["thumbnail_url"]).status_code == 200
    assert "contact" not in str(order) and "phone" not in str(order)


def test_a_contractor_opening_another_contractors_order_gets_404(api, world, client, log_case):
    theirs = issue(api, world, log_case(), who="rival")["id"]
    client.force_login(world["paving"].user)
    problem(api("get", f"/workorders/{theirs}"), 404, "workorder_not_found")
    problem(api("post", f"/workorders/{theirs}", {"action": "accept"}), 404,
            "workorder_not_found")
    problem(client.post(f"/api/v1/workorders/{theirs}/photos", {"file": upload()}), 404,
            "workorder_not_found")
    assert api("get", "/workorders").json() == []
    assert WorkOrder.objects.get(pk=theirs).state == WorkOrder.State.ISSUED


def test_the_contractors_notes_and_photos_reach_the_cases_history_for_staff(api, world, client,
                                                                          log_case):
    case = log_case()
    order_id = issue(api, world, case)["id"]
    client.force_login(world["paving"].user)
    api("post", f"/workorders/{order_id}", {"action": "accept"})
    api("post", f"/workorders/{order_id}", {"action": "note", "note": "Road closed at 9"})
    added = client.post(f"/api/v1/workorders/{order_id}/photos",
                        {"file": upload(), "text": "Before"})
    assert added.status_code == 201, added.content
    note_photo = added.json()["photo_url"]
    assert "/photos/notes/" in note_photo and "?s=" in note_photo
    done = api("post", f"/workorders/{order_id}", {"action": "complete", "note": "Patched"})
    assert [n["text"] for n in done.json()["notes"]] == ["Road closed at 9", "Before", "Patched"]
    assert client.get(note_photo)["Content-Type"] == "image/jpeg"  # re-encoded, no alpha
    history = api("get", f"/cases/{case.reference}", key=world["key"]).json()["updates"]
    internal = [u["text"] for u in history if u["kind"] == "internal"]
    assert internal[0].startswith("W1: Issued to Paving Co")
    assert "W1: Road closed at 9" in internal and "W1: Completed. Patched" in internal
    (with_photo,) = [t for t in internal if t.startswith("W1: Before")]
    bare = with_photo.split("Photo: ")[1]
    assert bare == note_photo.split("?")[0].removeprefix("http://testserver")
    assert all(u["author"] == "Paving Co" for u in history if "Patched" in u["text"])
    # Staff open the photo from the history with their own access; another contractor
    # cannot, and nobody without a signature can.
    client.force_login(world["officer"].user)
    assert client.get(bare).status_code == 200
    client.force_login(world["rival"].user)
    problem(client.get(bare), 404, "photo_not_found")
    client.logout()
    problem(client.get(bare), 404, "photo_not_found")


def resident_view(case, resident) -> list[str]:
    """The history as the case's detail shows it to its resident."""
    detail = _detail(Case.objects.get(pk=case.pk), resident, absolute=str)
    return [u["text"] for u in detail["updates"]]


@pytest.mark.parametrize("public", [False, True])
def test_the_sign_off_note_reaches_residents_only_when_marked_public(api, world, client,
                                                                     log_case, resident,
                                                                     public):
    case = log_case()
    order_id = issue(api, world, case)["id"]
    client.force_login(world["paving"].user)
    api("post", f"/workorders/{order_id}", {"action": "accept"})
    api("post", f"/workorders/{order_id}", {"action": "complete", "note": "Patched"})
    client.force_login(world["officer"].user)
    signed = api("post", f"/workorders/{order_id}",
                 {"action": "sign_off", "note": "Resurfaced the lane", "public": public})
    assert signed.json()["state"] == "signed_off"
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED
    staff_view = [u["text"] for u in api("get", f"/cases/{case.reference}").json()["updates"]]
    assert any("Resurfaced the lane" in text for text in staff_view)
    seen = resident_view(case, resident)
    assert ("Resurfaced the lane" in seen) is public
    assert ("Work completed." in seen) is not public
    assert not any("Patched" in text or text.startswith("W1:") for text in seen)
    (request,) = client.get("/open311/v2/requests.json", {"jurisdiction_id": "AAA"}).json()
    assert request["status_notes"] == ("Resurfaced the lane" if public else "Work completed.")


def test_listing_orders_runs_a_fixed_number_of_queries(api, world, client, log_case, resident,
                                                       django_assert_num_queries):
    for n in range(3):
        case = log_case(contact=Contact(phone=f"082555000{n}"))
        attachment_add(actor=resident, case=case, data=photo(["red", "green", "blue"][n]))
        issue(api, world, case)
    client.force_login(world["paving"].user)
    # The session, its user and memberships; the orders with their cases; their photos.
    with django_assert_num_queries(5):
        orders = api("get", "/workorders").json()
    assert len(orders) == 3 and all(len(o["photos"]) == 1 for o in orders)
