"""Attaching photos to a case, from any channel."""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import Actor

from .images import image_prepare
from .models import Attachment, Case
from .transitions import is_reporter, may_work

MAX_PER_CASE = 10


def attachment_add(*, actor: Actor, case: Case, data: bytes, public: bool = True) -> Attachment:
    """Check, re-encode and store one photo. The same photo twice is stored once."""
    if not (is_reporter(actor, case) or may_work(actor, case)
            or may_work(actor, case, "case.log") or actor.kind == "system"):
        raise PermissionDenied(_("You may not add photos to this case."))
    prepared = image_prepare(data, max_bytes=settings.ATTACHMENT_MAX_BYTES)
    existing = Attachment.objects.filter(case=case, sha256=prepared.sha256).first()
    if existing:
        return existing
    if Attachment.objects.filter(case=case).count() >= MAX_PER_CASE:
        raise ImbizoError("too_many_photos",
                          _("A case can have at most %(n)s photos.") % {"n": MAX_PER_CASE})
    key = uuid.uuid4()
    attachment = Attachment(uuid=key, case=case, content_type=prepared.content_type,
                            width=prepared.width, height=prepared.height,
                            size=len(prepared.content), sha256=prepared.sha256,
                            actor=actor.label, public=public)
    # Files first (outside the row lock); an orphan file is harmless, a row without one is not.
    attachment.image.save(f"{key}.{prepared.extension}", ContentFile(prepared.content),
                          save=False)
    attachment.thumbnail.save(f"{key}-thumb.jpg", ContentFile(prepared.thumbnail), save=False)
    with transaction.atomic():
        attachment.save()
        audit_record(actor=actor.label, channel=actor.channel, action="case.attach", obj=case,
                     municipality_code=case.municipality.code,
                     changes={"attachment": str(key), "bytes": len(prepared.content)})
    return attachment
