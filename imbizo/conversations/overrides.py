"""A municipality's own version of a shipped flow, saved through one service (the admin
calls it): checked like a shipped flow, audited, and in use by every process at once."""


from django.db import transaction
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor, require
from imbizo.geo.models import Municipality

from .flowdefs import FlowError, override_parse
from .models import FlowOverride


@transaction.atomic
def flow_override_save(*, actor: Actor, municipality: Municipality, flow_id: str,
                       definition: str, active: bool = True) -> FlowOverride:
    """Create or replace the municipality's override of ``flow_id``. A flow that does
    not check out is refused with the reason, naming the node; nothing is saved."""
    require(actor, "department.manage", municipality.pk)
    try:
        flow = override_parse(definition)
    except FlowError as exc:
        raise ImbizoError("invalid_flow", str(exc), field="definition") from None
    if flow.id != flow_id:
        raise ImbizoError("invalid_flow", _("The flow's id is %(got)s, not %(want)s.")
                          % {"got": flow.id, "want": flow_id}, field="definition")
    override, _created = FlowOverride.objects.update_or_create(
        municipality=municipality, flow_id=flow_id,
        defaults={"definition": definition, "active": active})
    audit_record(actor=actor.label, channel=actor.channel, action="flow.override", obj=override,
                 municipality_code=municipality.code,
                 changes={"flow": flow_id, "active": active})
    return override
