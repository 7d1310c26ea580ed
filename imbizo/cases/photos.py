"""Who may see a photo, and the addresses handed out for them.

A photo of a public case (a public attachment, the case and its category public) is
public: its address answers anyone. Any other photo answers only a caller who may see
the case (its staff by membership, the contractor of one of its work orders) or anyone
holding an address signed for it, which is issued only to such callers and expires
after SIGNED_SECONDS, so an API client can put it in an ``<img>``. Every refusal is the
same 404 as an unknown photo: no hint that it exists.
"""

import hashlib
from dataclasses import dataclass

from django.core import signing
from django.core.files import File
from django.urls import reverse
from django.utils.translation import gettext as _

from imbizo.core.errors import NotFound
from imbizo.core.permissions import Actor

from .images import FORMATS
from .models import Attachment, WorkOrderNote
from .selectors import case_list
from .workorders import workorder_list

SIGNED_SECONDS = 3600
IMAGE, THUMBNAIL, NOTE = "image", "thumbnail", "note"
_signer = signing.TimestampSigner(salt="imbizo.cases.photos")
CONTENT_TYPES = {extension: content_type for content_type, extension in FORMATS.values()}


@dataclass(frozen=True)
class Photo:
    file: File  # opened for reading: the caller streams it and closes it
    content_type: str
    etag: str
    public: bool  # cacheable by anyone


def attachment_is_public(attachment: Attachment) -> bool:
    case = attachment.case  # with its category: no query when loaded together
    return attachment.public and case.public and case.category.public


def _sign(kind: str, key) -> str:
    value = f"{kind}:{key}"
    return _signer.sign(value)[len(value) + 1:]  # timestamp:signature, without the value


def _signed(kind: str, key, signature: str | None) -> bool:
    if not signature:
        return False
    try:
        _signer.unsign(f"{kind}:{key}:{signature}", max_age=SIGNED_SECONDS)
    except signing.BadSignature:  # tampered, for another photo, or expired
        return False
    return True


def photo_url(attachment: Attachment, *, thumbnail: bool = False) -> str:
    """The photo's path: bare when it is public, signed otherwise. Hand it only to a
    caller who may see the case."""
    kind = THUMBNAIL if thumbnail else IMAGE
    path = reverse(f"photos:{kind}", args=[attachment.uuid])
    if attachment_is_public(attachment):
        return path
    return f"{path}?s={_sign(kind, attachment.uuid)}"


def note_photo_url(note: WorkOrderNote) -> str:
    """A work order note's photo, never public: signed. Hand it only to a caller who may
    see the work order."""
    return f"{reverse(f'photos:{NOTE}', args=[note.pk])}?s={_sign(NOTE, note.pk)}"


def _may_see_case(actor: Actor, case_id: int) -> bool:
    if actor.kind == "anonymous":
        return False
    return (case_list(actor=actor).filter(pk=case_id).exists()
            or workorder_list(actor=actor).filter(case_id=case_id).exists())


def _may_see_work_order(actor: Actor, order_id: int) -> bool:
    if actor.kind == "anonymous":
        return False
    return workorder_list(actor=actor).filter(pk=order_id).exists()


def _open(field) -> File:
    try:
        return field.storage.open(field.name, "rb")
    except FileNotFoundError:
        raise NotFound("photo_not_found", _("No such photo.")) from None


def photo_get(*, actor: Actor, kind: str, key, signature: str | None) -> Photo:
    """The photo behind an address, if this caller (or the signature) may see it."""
    missing = NotFound("photo_not_found", _("No such photo."))
    if kind == NOTE:
        note = WorkOrderNote.objects.filter(pk=key).exclude(photo="").first()
        if note is None:
            raise missing
        if not (_signed(NOTE, key, signature) or _may_see_work_order(actor, note.work_order_id)):
            raise missing
        content_type = CONTENT_TYPES[note.photo.name.rsplit(".", 1)[-1]]
        etag = hashlib.sha256(note.photo.name.encode()).hexdigest()  # the name is never reused
        return Photo(_open(note.photo), content_type, f'"{etag}"', public=False)
    attachment = Attachment.objects.select_related("case__category").filter(uuid=key).first()
    if attachment is None:
        raise missing
    public = attachment_is_public(attachment)
    if not (public or _signed(kind, key, signature)
            or _may_see_case(actor, attachment.case_id)):
        raise missing
    if kind == THUMBNAIL:
        return Photo(_open(attachment.thumbnail), "image/jpeg", f'"{attachment.sha256}-thumb"',
                     public)
    return Photo(_open(attachment.image), attachment.content_type, f'"{attachment.sha256}"',
                 public)
