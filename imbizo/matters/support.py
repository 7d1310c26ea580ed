"""Neighbours supporting a public suggestion: a resident of the matter's ward, once, and
never their own. The count kept on the matter is what the public list shows."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor

from .models import Kind, Matter, Support


def _refusal(actor: Actor, matter: Matter) -> ImbizoError | None:
    """Why this resident may not support this matter, or None."""
    if actor.kind != "citizen":
        return PermissionDenied(_("Only a resident of the ward supports a suggestion."))
    if not matter.public:
        return ImbizoError("matter_not_public",
                           _("%(ref)s is private: only public suggestions can be supported.")
                           % {"ref": matter.reference}, status=409)
    if matter.kind != Kind.SUGGESTION:
        return ImbizoError("not_a_suggestion", _("Only suggestions can be supported."),
                           status=409)
    if not matter.is_open:
        return ImbizoError("matter_closed", _("%(ref)s is closed.")
                           % {"ref": matter.reference}, status=409)
    if matter.citizen_id == actor.citizen.pk:
        return ImbizoError("own_matter", _("You raised it: you cannot support your own "
                                           "suggestion."), status=403)
    if actor.citizen.ward_id != matter.ward_id:
        return ImbizoError("not_ward_resident",
                           _("Only residents of ward %(ward)s can support it. Is your home "
                             "ward set in your profile?") % {"ward": matter.ward.number},
                           status=403)
    return None


def _already(matter: Matter) -> ImbizoError:
    return ImbizoError("already_supported", _("You already support %(ref)s.")
                       % {"ref": matter.reference}, status=409)


def matter_support(*, actor: Actor, matter: Matter) -> Matter:
    """Count the resident's support for a public suggestion of their ward, once."""
    if refusal := _refusal(actor, matter):
        raise refusal
    if Support.objects.filter(matter=matter, citizen=actor.citizen).exists():
        raise _already(matter)
    try:
        with transaction.atomic():
            Support.objects.create(matter=matter, citizen=actor.citizen, channel=actor.channel)
            Matter.objects.filter(pk=matter.pk).update(support_count=F("support_count") + 1)
            emit("matter_supported", municipality_id=matter.municipality_id,
                 matter_id=matter.pk)
            audit_record(actor=actor.label, channel=actor.channel, action="matter.support",
                         obj=matter, municipality_code=matter.municipality.code)
    except IntegrityError:  # the unique (matter, resident): supported before, or just now
        raise _already(matter) from None
    matter.support_count += 1
    return matter
