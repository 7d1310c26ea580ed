"""Sharing the service with a neighbour: a short link to the municipality's home on the site
and its USSD code, in one text to forward (docs/community.md, "Share").

A municipality has one share code, ``/s/<code>``: made the first time anyone asks for it
(its municipality's code in lower case), changed by staff with ``community.manage`` for the
whole municipality, with the USSD service code its gateway answers (``ussd_code``; the
text leaves the dialling out while there is none). Opening the link and handing out the
text each add one to a counter: how often, never by whom.
"""

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.permissions import Actor, allows, require, system_actor
from imbizo.geo.models import Municipality

from .meetings import MANAGE
from .share_models import ShareCode

USSD_CODE = re.compile(r"^\*\d{1,4}(\*\d{1,6}){0,4}#$")
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,19}$")
SHARE_TEXT = gettext_lazy("Report faults to %(municipality)s: %(link)s or dial %(ussd)s")
SHARE_TEXT_LINK = gettext_lazy("Report faults to %(municipality)s: %(link)s")


def _audit(actor: Actor, action: str, share: ShareCode, municipality: Municipality,
           **changes) -> None:
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=share,
                 municipality_code=municipality.code, changes=changes)


def share_code_for(municipality: Municipality) -> ShareCode:
    """The municipality's share code, made (and audited, as the system) on first need."""
    found = ShareCode.objects.filter(municipality=municipality).first()
    if found is not None:
        return found
    code = municipality.code.lower()
    if not CODE.match(code) or ShareCode.objects.filter(code=code).exists():
        code = f"m{municipality.pk}"
    try:
        with transaction.atomic():
            share = ShareCode.objects.create(municipality=municipality, code=code)
            _audit(system_actor(), "community.share_create", share, municipality, code=code)
    except IntegrityError:  # made by another request at the same moment
        return ShareCode.objects.get(municipality=municipality)
    return share


@transaction.atomic
def share_code_set(*, actor: Actor, municipality: Municipality, ussd_code: str,
                   code: str | None = None) -> ShareCode:
    """The USSD service code residents dial (blank: none yet) and, if given, a new short
    code for the link (an old link then stops working)."""
    require(actor, MANAGE, municipality.pk)
    if not allows(actor, MANAGE, municipality_id=municipality.pk):
        raise PermissionDenied(_("Only staff of the whole municipality set what it shares."))
    ussd_code = "".join(str(ussd_code or "").split())
    if ussd_code and not USSD_CODE.match(ussd_code):
        raise ImbizoError("invalid_ussd_code", _("Give a USSD code like *120*1234#."),
                          field="ussd_code")
    share = ShareCode.objects.select_for_update().get(pk=share_code_for(municipality).pk)
    changes = {}
    if code is not None and code.strip().lower() != share.code:
        code = code.strip().lower()
        if not CODE.match(code):
            raise ImbizoError("invalid_share_code", _("Use 2 to 20 letters, digits or "
                                                      "dashes."), field="code")
        if ShareCode.objects.filter(code=code).exclude(pk=share.pk).exists():
            raise ImbizoError("share_code_taken", _("That code is taken."), field="code")
        share.code, changes["code"] = code, code
    if ussd_code != share.ussd_code:
        share.ussd_code, changes["ussd_code"] = ussd_code, ussd_code
    if changes:
        share.save(update_fields=[*changes, "updated"])
        _audit(actor, "community.share_set", share, municipality, **changes)
    return share


def share_link(share: ShareCode) -> str:
    return settings.SITE_URL + reverse("web:share_open", args=[share.code])


def share_text(share: ShareCode, municipality: Municipality) -> str:
    """What a resident forwards, in the active language."""
    values = {"municipality": municipality.name, "link": share_link(share),
              "ussd": share.ussd_code}
    return str(SHARE_TEXT if share.ussd_code else SHARE_TEXT_LINK) % values


def share_given(share: ShareCode) -> None:
    """Count one hand-out of the text (no one's number, no channel address)."""
    ShareCode.objects.filter(pk=share.pk).update(given=F("given") + 1)


def share_open(code: str) -> str:
    """Count one opening of the link; the municipality's code, for the redirect."""
    share = ShareCode.objects.select_related("municipality").only(
        "pk", "municipality__code").filter(code=(code or "").lower()[:20]).first()
    if share is None:
        raise NotFound("share_not_found", _("No such link."))
    ShareCode.objects.filter(pk=share.pk).update(opened=F("opened") + 1)
    return share.municipality.code
