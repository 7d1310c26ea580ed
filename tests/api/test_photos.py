"""Photo addresses answer: a public case's photos for anyone, every other photo only to a
caller who may see its case or holds an address signed for it (and not yet expired)."""

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from PIL import Image

from imbizo.accounts.models import Role
from imbizo.api.keys import api_key_create
from imbizo.cases.attachments import attachment_add
from imbizo.cases.photos import SIGNED_SECONDS
from imbizo.core.permissions import system_actor


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def photo(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def keys(municipalities):
    aaa, bbb = municipalities
    return {m.code: api_key_create(actor=system_actor("cli"), municipality=m, name="CRM",
                                   role=Role.SUPERVISOR)[1] for m in (aaa, bbb)}


@pytest.fixture
def urls(client, keys):
    """The photo addresses the API hands AAA's key for a case, as it hands them."""
    def get(case) -> list[dict]:
        detail = client.get(f"/api/v1/cases/{case.reference}", HTTP_X_API_KEY=keys["AAA"])
        assert detail.status_code == 200, detail.content
        return detail.json()["attachments"]
    return get


def fetch(client, url: str, **headers):
    return client.get(url, **{f"HTTP_{k.upper()}": v for k, v in headers.items()})


def body(response) -> bytes:
    assert response.streaming  # a FileResponse: the file is never read whole
    return b"".join(response.streaming_content)  # the test client closes it at the end


def not_found(response) -> None:
    assert response.status_code == 404, response.status_code
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("photo_not_found")


def test_a_public_cases_photo_is_streamed_to_anyone_and_cacheable(client, log_case, resident,
                                                                   urls):
    case = log_case()
    attachment = attachment_add(actor=resident, case=case, data=photo())
    (given,) = urls(case)
    assert given["url"] == f"http://testserver/photos/{attachment.uuid}"  # bare: public
    response = fetch(client, given["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["ETag"] == f'"{attachment.sha256}"'
    assert body(response) == attachment.image.open("rb").read()
    thumb = fetch(client, given["thumbnail_url"])
    assert thumb["Content-Type"] == "image/jpeg" and thumb["ETag"] != response["ETag"]
    assert body(thumb) == attachment.thumbnail.open("rb").read()
    again = fetch(client, given["url"], if_none_match=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"]


@pytest.mark.parametrize("hidden", ["case", "category", "photo"])
def test_any_other_photo_is_404_without_a_signature_and_served_with_one(
        client, log_case, resident, urls, hidden):
    case = log_case(public=hidden != "case")
    if hidden == "category":
        case.category.public = False
        case.category.save(update_fields=["public"])
    attachment = attachment_add(actor=resident, case=case, data=photo(),
                                public=hidden != "photo")
    bare = reverse("photos:image", args=[attachment.uuid])
    not_found(fetch(client, bare))
    not_found(fetch(client, reverse("photos:thumbnail", args=[attachment.uuid])))
    (given,) = urls(case)
    assert urlsplit(given["url"]).path == bare and "?s=" in given["url"]
    response = fetch(client, given["url"])  # no key, no session: the signature is enough
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert body(response) == attachment.image.open("rb").read()
    assert fetch(client, given["thumbnail_url"]).status_code == 200


def test_a_signed_address_expires(client, log_case, resident, urls):
    case = log_case(public=False)
    attachment_add(actor=resident, case=case, data=photo())
    (given,) = urls(case)
    with freeze_time(timezone.now() + timedelta(seconds=SIGNED_SECONDS - 60)):
        assert fetch(client, given["url"]).status_code == 200
    with freeze_time(timezone.now() + timedelta(seconds=SIGNED_SECONDS + 60)):
        not_found(fetch(client, given["url"]))


def test_a_tampered_or_borrowed_signature_is_404(client, log_case, resident, urls):
    case = log_case(public=False)
    attachment_add(actor=resident, case=case, data=photo("red"))
    other = attachment_add(actor=resident, case=case, data=photo("blue"))
    first, second = urls(case)
    url, signature = first["url"].split("?s=")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    not_found(fetch(client, f"{url}?s={flipped}"))
    not_found(fetch(client, f"{url}?s="))
    # Another photo's signature, or the thumbnail's, opens nothing else.
    not_found(fetch(client, f"{url}?s={second['url'].split('?s=')[1]}"))
    not_found(fetch(client, f"{url}?s={first['thumbnail_url'].split('?s=')[1]}"))
    assert second["url"].startswith(f"http://testserver/photos/{other.uuid}?s=")


def test_a_caller_who_may_see_the_case_needs_no_signature(client, log_case, resident, keys,
                                                         make_staff, municipalities):
    aaa, bbb = municipalities
    case = log_case(public=False)
    attachment = attachment_add(actor=resident, case=case, data=photo())
    bare = reverse("photos:image", args=[attachment.uuid])
    assert fetch(client, bare, x_api_key=keys["AAA"]).status_code == 200
    not_found(fetch(client, bare, x_api_key=keys["BBB"]))  # another municipality's key
    not_found(fetch(client, bare, x_api_key="imb_not-a-key"))
    client.force_login(make_staff({"role": Role.OFFICER, "municipality": bbb}).user)
    not_found(fetch(client, bare))
    client.force_login(make_staff({"role": Role.AGENT, "municipality": aaa}).user)
    response = fetch(client, bare)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_an_unknown_photo_is_404(client, municipalities):
    not_found(fetch(client, "/photos/3f1c5a9e-0000-4000-8000-000000000000"))
    not_found(fetch(client, "/photos/notes/999"))
    assert client.get("/photos/not-a-uuid").status_code == 404


def test_a_missing_file_is_404_not_a_500(client, log_case, resident):
    attachment = attachment_add(actor=resident, case=log_case(), data=photo())
    attachment.image.delete(save=False)
    not_found(fetch(client, reverse("photos:image", args=[attachment.uuid])))


def test_only_get_and_head(client, log_case, resident):
    attachment = attachment_add(actor=resident, case=log_case(), data=photo())
    url = reverse("photos:image", args=[attachment.uuid])
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_open311_media_url_answers(client, log_case, resident):
    case = log_case()
    attachment = attachment_add(actor=resident, case=case, data=photo())
    (request,) = client.get("/open311/v2/requests.json", {"jurisdiction_id": "AAA"}).json()
    assert request["media_url"] == f"http://testserver/photos/{attachment.uuid}"
    response = fetch(client, request["media_url"])
    assert response.status_code == 200
    assert body(response) == attachment.image.open("rb").read()


def test_a_cases_detail_still_costs_four_queries_with_signed_photos(
        client, log_case, resident, keys, settings, django_assert_num_queries):
    case = log_case(public=False)
    for colour in ("red", "green", "blue"):
        attachment_add(actor=resident, case=case, data=photo(colour))
    settings.CONFIG_CHECK_SECONDS = 3600  # as a server runs: the API key is memoised
    client.get(f"/api/v1/cases/{case.reference}", HTTP_X_API_KEY=keys["AAA"])
    with django_assert_num_queries(4):
        detail = client.get(f"/api/v1/cases/{case.reference}", HTTP_X_API_KEY=keys["AAA"])
    assert all("?s=" in a["url"] for a in detail.json()["attachments"])
