"""The demo's meetings, directory and share code: a ward 1 meeting next week announced by
the demo councillor, one held last month with answers, a few departments' numbers with a
PDF form that opens, ``/s/dmo`` with the simulator's USSD code; a second load adds
nothing. (The rest of the demo is built here from its generated layers only: ``demo_seed``
runs this part too, in tests/demo.)"""

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from imbizo.accounts.models import Role
from imbizo.accounts.services import (
    citizen_register,
    department_create,
    membership_grant,
    staff_user_create,
)
from imbizo.audit.models import AuditEntry
from imbizo.community.directory_models import DirectoryEntry, DirectoryForm
from imbizo.community.meeting_models import Meeting, Rsvp
from imbizo.community.pdf import pdf_check
from imbizo.community.share_models import ShareCode
from imbizo.core.permissions import system_actor
from imbizo.demo import community as demo_community
from imbizo.demo.geography import PROVINCE_CODE, PROVINCE_NAME, generate_geography
from imbizo.demo.layers import write_layers
from imbizo.demo.staff import DEPARTMENTS
from imbizo.geo.models import Municipality, Ward
from imbizo.geo.services import Fields, boundaries_import, province_ensure, ward_suburbs_set


@pytest.fixture
def dmo(db, tmp_path, settings, django_capture_on_commit_callbacks):
    """The demo's geography, departments, councillor and a few residents of ward 1."""
    settings.MEDIA_ROOT = tmp_path / "media"
    actor, geography = system_actor("cli"), generate_geography()
    province_ensure(actor=actor, code=PROVINCE_CODE, name=PROVINCE_NAME)
    with django_capture_on_commit_callbacks(execute=True):
        for level, path in write_layers(geography, tmp_path).items():
            boundaries_import(actor=actor, level=level, path=path, spec=Fields())
    municipality = Municipality.objects.get(code="DMO")
    ward_suburbs_set(actor=actor, municipality=municipality,
                     suburbs={w.number: w.suburbs for w in geography.wards})
    for code, name in DEPARTMENTS:
        department_create(actor=actor, municipality=municipality, code=code, name=name)
    ward1 = Ward.objects.get(municipality=municipality, number=1)
    user = staff_user_create(actor=actor, username="demo-councillor",
                             password="a-long-test-password")
    membership_grant(actor=actor, user=user, role=Role.COUNCILLOR, municipality=municipality,
                     ward=ward1)
    for n in range(6):
        citizen_register(actor=actor, phone=f"08300000{n:02d}", municipality=municipality,
                         ward=ward1)
    return municipality


def test_the_demo_has_meetings_a_directory_and_a_share_code_loaded_once(dmo):
    demo_community.seed(actor=system_actor("cli"), municipality=dmo, seed=2021)
    upcoming = Meeting.objects.get(title=demo_community.NEXT_TITLE)
    assert upcoming.organiser.username == "demo-councillor" and upcoming.starts > timezone.now()
    assert [w.number for w in upcoming.wards.all()] == [1]
    assert AuditEntry.objects.filter(action="community.meeting_announce").count() == 1
    past = Meeting.objects.get(title=demo_community.PAST_TITLE)
    assert past.ends < timezone.now() and Rsvp.objects.filter(meeting=past).count() == 6
    assert DirectoryEntry.objects.filter(municipality=dmo).count() == len(demo_community.ENTRIES)
    form = DirectoryForm.objects.get()
    with default_storage.open(form.file.name, "rb") as stored:
        content = stored.read()
    assert pdf_check(content).sha256 == form.sha256 and b"/Type /Page" in content
    share = ShareCode.objects.get(municipality=dmo)
    assert (share.code, share.ussd_code) == ("dmo", "*120*4629#")

    before = AuditEntry.objects.count()
    demo_community.seed(actor=system_actor("cli"), municipality=dmo, seed=2021)
    assert Meeting.objects.count() == 2 and DirectoryForm.objects.count() == 1
    assert DirectoryEntry.objects.count() == len(demo_community.ENTRIES)
    assert AuditEntry.objects.count() == before  # nothing written the second time
