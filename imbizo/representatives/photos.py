"""Representatives' photos: the address a page or the API shows, and what that address
serves. A sitting representative's photo is public (the municipality publishes it). The
address carries the photo's hash, so a changed photo is a new address and a day's caching
is safe. Where the stored file has gone missing, the address still answers, with the
initials portrait: a page never shows a broken image.
"""

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile, File
from django.urls import reverse
from django.utils.translation import gettext as _

from imbizo.core.errors import NotFound

from .models import Representative
from .portraits import initials_portrait
from .selectors import sitting


@dataclass(frozen=True)
class PhotoFile:
    file: File  # opened for reading: the caller streams it and closes it
    content_type: str
    etag: str


def photo_address(person: Representative) -> str | None:
    """Where the person's photo is: our own address for a stored one, the municipality's
    for one it hosts, or None (pages then show the initials)."""
    if person.photo:
        path = reverse("web:representative_photo", args=[person.uuid])
        return f"{path}?v={person.photo_sha256[:12]}"
    return person.photo_url or None


def photo_get(*, key) -> PhotoFile:
    """The stored photo of a sitting representative, or their initials portrait."""
    person = Representative.objects.filter(sitting(), uuid=key).only(
        "name", "photo", "photo_sha256").first()
    if person is None:
        raise NotFound("photo_not_found", _("No such photo."))
    if person.photo:
        try:
            return PhotoFile(person.photo.storage.open(person.photo.name, "rb"), "image/jpeg",
                             f'"{person.photo_sha256}"')
        except FileNotFoundError:
            pass
    drawn = initials_portrait(person.name)
    return PhotoFile(ContentFile(drawn), "image/jpeg", f'"{hashlib.sha256(drawn).hexdigest()}"')
