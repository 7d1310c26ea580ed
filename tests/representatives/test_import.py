"""imbizo import-representatives: a good file loads whole, a bad one loads nothing and
names each problem by line and column, and importing again changes only what changed."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from imbizo.accounts.models import Role
from imbizo.audit.models import AuditEntry
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import system_actor
from imbizo.representatives.importer import representatives_import
from imbizo.representatives.models import Kind, Representative, TraditionalCouncil

from .conftest import jpeg, load, published, row, write_csv


def test_a_good_file_loads_every_person_with_what_the_municipality_publishes(listed):
    assert (listed.rows, listed.created, listed.updated, listed.retired) == (9, 8, 0, 0)
    thandi = Representative.objects.get(name="Thandi Mokoena")
    assert (thandi.kind, thandi.ward.number, thandi.municipality.code) == (
        Kind.WARD_COUNCILLOR, 1, "AAA")
    assert (thandi.phone, thandi.email, thandi.party) == (
        "+27825550101", "thandi@aaa.example.org", "Independent")
    assert thandi.office == "Ward office\nMain Road" and str(thandi.term_start) == "2021-11-22"
    zanele = Representative.objects.get(key="id:PR-7")
    assert zanele.ward is None and zanele.photo_url == "https://aaa.example.org/zanele.jpg"
    council = TraditionalCouncil.objects.get(authority__code="TA1")
    assert (council.phone, council.office) == ("+27475550800", "Great Place, Ezinkomeni")
    assert council.display_name == "AmaNgubane Traditional Council"
    leader = Representative.objects.get(kind=Kind.TRADITIONAL_LEADER)
    assert (leader.council, leader.title, leader.ward) == (council, "Inkosi", None)
    assert AuditEntry.objects.get(action="representatives.import").changes == {
        "created": 8, "councils": 1}


def test_a_photo_file_is_stored_re_encoded_without_its_metadata(listed):
    thandi = Representative.objects.get(name="Thandi Mokoena")
    assert thandi.photo.name.startswith(f"representatives/{thandi.uuid}-")
    with thandi.photo.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.format == "JPEG" and image.size == (64, 80)
        assert not image.getexif()
    assert listed.photos == 1


@pytest.mark.parametrize("bad, column, reason", [
    ({"municipality": "ZZZ"}, "municipality", "unknown municipality 'ZZZ'"),
    ({"ward": "3"}, "ward", "'3' is not a ward number of AAA (it has wards 1 to 2)"),
    ({"ward": ""}, "ward", "is empty"),
    ({"phone": "12345"}, "phone", "is not a valid phone number"),
    ({"kind": "mayor"}, "kind", "unknown kind 'mayor'"),
    ({"name": ""}, "name", "is empty"),
    ({"email": "thandi-at-home"}, "email", "is not an e-mail address"),
    ({"authority": "TA1"}, "authority", "is not used for a ward_councillor row"),
    ({"photo": "missing.jpg"}, "photo", "no file 'missing.jpg'"),
    ({"photo": "notes.txt"}, "photo", "not a JPEG, PNG or WebP image"),
    ({"photo": "../thandi.jpg"}, "photo", "outside the photos folder"),
    ({"photo": "http://aaa.example.org/t.jpg"}, "photo", "must start with https://"),
    ({"term_start": "22/11/2021"}, "term_start", "is not a date like 2026-11-01"),
    ({"login": "nobody"}, "login", "no active staff login 'nobody'"),
    ({"title": "x" * 41}, "title", "at most 40 characters"),
])
def test_each_bad_row_is_reported_by_line_and_column_and_nothing_is_loaded(
        area, photos, bad, column, reason):
    (photos / "notes.txt").write_text("not a photo")
    rows = published()
    rows[1] = {**rows[1], **bad}  # line 4: the first person's office takes two lines
    with pytest.raises(ImbizoError) as err:
        load(photos, rows)
    assert err.value.code == "invalid_representatives_file"
    problem, = err.value.extra["problems"]
    assert problem.startswith(f"line 4, column {column}: ") and reason in problem
    assert "nothing was imported" in err.value.message
    assert not Representative.objects.exists() and not TraditionalCouncil.objects.exists()


def test_every_bad_row_of_a_file_is_reported_at_once(area, photos):
    rows = published()
    rows[0]["ward"] = "9"
    rows[3]["kind"] = "chief"
    rows.append(row("ward_councillor", ward="2", name="Another One"))  # ward 2 twice
    rows.append(row("pr_councillor", id="PR-7", name="Same Id"))  # PR-7 twice
    rows.append(row("traditional_member", authority="TA9", name="Nowhere"))
    with pytest.raises(ImbizoError) as err:
        load(photos, rows)
    assert err.value.extra["problems"] == [
        "line 2, column ward: '9' is not a ward number of AAA (it has wards 1 to 2)",
        "line 6, column kind: unknown kind 'chief'; use one of ward_councillor, "
        "pr_councillor, committee_member, traditional_leader, traditional_member, "
        "traditional_council",
        "line 14, column authority: unknown traditional authority 'TA9' (import its area "
        "first: imbizo import-boundaries --level traditional-authority)",
        "line 12: a second councillor for ward 2 (the first is on line 4)",
        "line 13: the same person as line 7",
    ]
    assert not Representative.objects.exists()


def test_an_authority_outside_the_municipality_is_refused(area, photos):
    rows = [row("traditional_leader", municipality="BBB", authority="TA1", name="Far Away")]
    with pytest.raises(ImbizoError, match="line 2, column authority: TA1 does not lie in BBB"):
        load(photos, rows)


@pytest.mark.parametrize("header, text, reason", [
    ("municipality,kind", "AAA,pr_councillor", "no name column"),
    ("municipality,kind,name,nickname", "AAA,pr_councillor,A,B", "unknown column(s) 'nickname'"),
    ("municipality,kind,name,name", "AAA,pr_councillor,A,B", "names the column(s) name twice"),
    ("", "", "has no header line"),
])
def test_a_file_that_is_not_the_format_is_refused_whole(area, tmp_path, header, text, reason):
    path = tmp_path / "bad.csv"
    path.write_text(f"{header}\n{text}\n" if header else "")
    with pytest.raises(ImbizoError, match=re.escape(reason)):
        _import(path)


def _import(path):
    return representatives_import(actor=system_actor("cli"), path=path)


def test_a_file_not_in_utf8_is_refused_with_the_encoding_to_give(area, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("municipality,kind,name\nAAA,pr_councillor,Ren\xe9\n".encode("latin-1"))
    with pytest.raises(ImbizoError, match="not utf-8-sig text"):
        _import(path)


def test_comments_and_blank_lines_are_skipped_and_lines_still_counted(area, tmp_path):
    path = tmp_path / "commented.csv"
    path.write_text("# AAA's councillors\nmunicipality,kind,name,ward\n\n"
                    "# ward 1\nAAA,ward_councillor,Thandi Mokoena,1\nAAA,ward_councillor,,2\n")
    with pytest.raises(ImbizoError) as err:
        _import(path)
    assert err.value.extra["problems"] == ["line 6, column name: is empty"]


def test_importing_the_same_file_again_changes_nothing(listed, photos,
                                                        django_capture_on_commit_callbacks):
    before = {r.key: (r.uuid, r.updated, r.photo.name) for r in Representative.objects.all()}
    with django_capture_on_commit_callbacks(execute=True):
        again = load(photos, published())
    assert (again.created, again.updated, again.unchanged, again.retired, again.photos) == (
        0, 0, 8, 0, 0)
    after = {r.key: (r.uuid, r.updated, r.photo.name) for r in Representative.objects.all()}
    assert after == before
    assert Representative.objects.filter(active=True).count() == 8


def test_people_no_longer_listed_are_retired_and_other_kinds_left_alone(
        listed, photos, django_capture_on_commit_callbacks):
    rows = [r for r in published() if r["kind"] == "committee_member"][:1]
    with django_capture_on_commit_callbacks(execute=True):
        result = load(photos, rows)
    assert (result.unchanged, result.retired) == (1, 1)
    assert not Representative.objects.get(name="Johan Pillay").active  # kept, retired
    assert Representative.objects.filter(kind=Kind.WARD_COUNCILLOR, active=True).count() == 2
    assert Representative.objects.get(name="Mandla Ngubane").active


def test_a_person_with_an_id_keeps_their_record_through_a_change_of_name_and_photo(
        listed, photos, django_capture_on_commit_callbacks, settings):
    zanele = Representative.objects.get(key="id:PR-7")
    rows = published()
    rows[4] |= {"name": "Zanele Nkosi-Mahlangu", "photo": "new.jpg"}
    (photos / "new.jpg").write_bytes(jpeg((10, 120, 10)))
    with django_capture_on_commit_callbacks(execute=True):
        result = load(photos, rows)
    zanele_now = Representative.objects.get(key="id:PR-7")
    assert zanele_now.uuid == zanele.uuid and zanele_now.name == "Zanele Nkosi-Mahlangu"
    assert zanele_now.photo and zanele_now.photo_url == ""
    assert (result.updated, result.photos) == (1, 1)


def test_a_replaced_photo_file_is_deleted_once_the_import_commits(
        listed, photos, django_capture_on_commit_callbacks):
    old = Representative.objects.get(name="Thandi Mokoena").photo
    rows = published()
    rows[0]["photo"] = ""
    with django_capture_on_commit_callbacks(execute=True):
        load(photos, rows)
    assert not old.storage.exists(old.name)
    assert not Representative.objects.get(name="Thandi Mokoena").photo


def test_a_councillor_who_moves_ward_and_one_who_takes_their_place_swap_cleanly(
        listed, photos):
    rows = published()
    rows[0] |= {"id": "T", "ward": "2"}
    rows[1] |= {"id": "S", "ward": "1"}
    load(photos, rows)
    rows[0]["ward"], rows[1]["ward"] = "1", "2"
    load(photos, rows)  # both keep their record (an id) and swap wards back
    sitting = dict(Representative.objects.filter(kind=Kind.WARD_COUNCILLOR, active=True)
                   .values_list("ward__number", "name"))
    assert sitting == {1: "Thandi Mokoena", 2: "Sipho Dlamini"}


def test_a_staff_login_links_the_councillor(listed, photos, make_staff, area):
    staff = make_staff({"role": Role.COUNCILLOR, "municipality": area[0],
                        "ward": area[0].wards.get(number=1)})
    rows = published()
    rows[0]["login"] = staff.user.username
    load(photos, rows)
    assert Representative.objects.get(name="Thandi Mokoena").user == staff.user


def test_only_those_who_keep_the_municipalitys_lists_may_import(area, photos, make_staff):
    admin_of_bbb = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": area[1]})
    with pytest.raises(PermissionDenied):
        load(photos, published(), actor=admin_of_bbb)
    agent = make_staff({"role": Role.AGENT, "municipality": area[0]})
    with pytest.raises(PermissionDenied):
        load(photos, published(), actor=agent)
    admin_of_aaa = make_staff({"role": Role.MUNICIPAL_ADMIN, "municipality": area[0]})
    assert load(photos, published(), actor=admin_of_aaa).created == 8
    assert AuditEntry.objects.get(action="representatives.import").actor == \
        f"user:{admin_of_aaa.user.pk}"


def test_the_command_reports_what_it_did_and_every_problem(area, photos, capsys):
    path = write_csv(photos, published())
    call_command("import_representatives", str(path))
    assert "9 row(s): 8 created, 0 updated, 0 unchanged, 0 retired; 1 photo(s)" in \
        capsys.readouterr().out
    bad = write_csv(photos, [row("ward_councillor", ward="7", name="X")], name="bad.csv")
    with pytest.raises(CommandError, match="line 2, column ward"):
        call_command("import_representatives", str(bad))


def test_photos_can_come_from_a_folder_of_their_own(area, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "portraits"
    folder.mkdir()
    (folder / "p.png").write_bytes(_png())
    rows = [row("pr_councillor", name="Pieter Botha", photo="p.png")]
    path = write_csv(tmp_path, rows)
    call_command("import_representatives", str(path), "--photos", str(folder))
    assert Representative.objects.get().photo.name.endswith(".jpg")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (30, 30), (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()
