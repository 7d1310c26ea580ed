import io

import pytest
from PIL import Image

from imbizo.accounts.permissions import citizen_actor
from imbizo.accounts.services import citizen_register
from imbizo.cases.attachments import attachment_add
from imbizo.cases.models import Attachment
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def photo(colour="red", size=(640, 480)) -> bytes:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (33.0, 55.0, 0.0)}  # GPS latitude: where the resident stood
    Image.new("RGB", size, colour).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_a_photo_is_stored_re_encoded_with_a_thumbnail(log_case, resident, media):
    case = log_case()
    attachment = attachment_add(actor=resident, case=case, data=photo())
    assert attachment.content_type == "image/jpeg"
    assert (attachment.width, attachment.height) == (640, 480)
    stored = attachment.image.read()
    assert b"Exif" not in stored and stored != photo()
    assert Image.open(attachment.thumbnail).size[0] <= 320
    assert str(media) in attachment.image.path and case.municipality.code in attachment.image.name


def test_the_same_photo_twice_is_kept_once(log_case, resident):
    case = log_case()
    first = attachment_add(actor=resident, case=case, data=photo())
    assert attachment_add(actor=resident, case=case, data=photo()).pk == first.pk
    assert Attachment.objects.count() == 1


def test_a_document_posing_as_a_photo_is_refused_and_nothing_is_kept(log_case, resident,
                                                                    media):
    with pytest.raises(ImbizoError) as err:
        attachment_add(actor=resident, case=log_case(), data=b"<html><body>hi</body></html>")
    assert err.value.status == 415
    assert not Attachment.objects.exists() and not any(media.rglob("*.*"))


def test_an_oversize_photo_is_refused(log_case, resident, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(ImbizoError) as err:
        attachment_add(actor=resident, case=log_case(), data=photo(size=(800, 800)))
    assert err.value.status == 413


def test_a_stranger_cannot_attach(log_case):
    stranger = citizen_actor(citizen_register(actor=system_actor("sms"), phone="0729998888"),
                             channel="sms")
    with pytest.raises(ImbizoError) as err:
        attachment_add(actor=stranger, case=log_case(), data=photo())
    assert err.value.status == 403
