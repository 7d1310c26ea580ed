"""The language switcher: a cookie for everyone, and the resident's record when signed
in, so that the phone channels answer in the same language."""

from django.conf import settings

from imbizo.audit.models import AuditEntry


def test_a_visitors_choice_is_remembered_in_a_cookie(client, db):
    answer = client.post("/language", {"language": "zu", "next": "/track"})
    assert answer.status_code == 302 and answer.url == "/track"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zu"
    assert '<html lang="zu">' in client.get("/track").text


def test_a_signed_in_residents_choice_is_saved_on_their_record(client, resident, sign_in_as):
    sign_in_as(resident.citizen)
    client.post("/language", {"language": "xh", "next": "/"})
    resident.citizen.refresh_from_db()
    assert resident.citizen.language == "xh"
    entry = AuditEntry.objects.filter(action="citizen.update").last()
    assert entry.channel == "web" and entry.changes == {"fields": ["language"]}


def test_an_unknown_language_or_an_off_site_return_changes_nothing(client, resident,
                                                                  sign_in_as):
    sign_in_as(resident.citizen)
    answer = client.post("/language", {"language": "xx", "next": "https://evil.example/"})
    assert answer.url == "/" and settings.LANGUAGE_COOKIE_NAME not in answer.cookies
    resident.citizen.refresh_from_db()
    assert resident.citizen.language == "en"


def test_the_switcher_offers_the_six_languages_on_every_page(client, db):
    text = client.get("/").text
    for code in ("en", "zu", "xh", "af", "st", "tn"):
        assert f'<option value="{code}"' in text
    assert client.get("/language").status_code == 405
