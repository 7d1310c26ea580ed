"""Who is revenue staff, and the one service that writes a municipality's arrangement
policy (``ArrangementPolicy``), which the console's policy page and the admin both call.

Revenue staff: the holders of ``billing.manage`` (managers) whose membership is the whole
municipality's or its Revenue & Billing department's (code ``revenue``, the department the
standard category tree sends bill queries to), and platform administrators everywhere. A
manager of another department holds ``billing.manage`` by role but works no accounts: the
selectors' ``scope`` gives a department's membership no rows that carry no department, and
the revenue console refuses it.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from imbizo.accounts.models import Department
from imbizo.audit.services import audit_record
from imbizo.core.changes import fields_assign
from imbizo.core.errors import ImbizoError, PermissionDenied
from imbizo.core.permissions import ROLE_PERMISSIONS, Actor, require
from imbizo.geo.models import Municipality

from .arrangement_models import ArrangementPolicy

MANAGE = "billing.manage"
REVENUE_DEPARTMENT = "revenue"
POLICY_FIELDS = ("deposit_percent", "deposit_minimum", "max_months", "min_instalment",
                 "broken_lookback_months", "auto_approve_max_arrears", "deposit_due_days",
                 "reminder_days", "broken_after_days")


def revenue_municipality_ids(actor: Actor) -> set[int] | None:
    """The municipalities where ``actor`` is revenue staff; None for everywhere (platform
    administrators, the system). At most one query (the departments' codes)."""
    if actor.is_global(MANAGE):
        return None
    grants = [m for m in actor.grants if MANAGE in ROLE_PERMISSIONS.get(m.role, ())
              and m.municipality_id and not m.ward_id]
    departments = {m.department_id for m in grants if m.department_id}
    revenue = set(Department.objects.filter(pk__in=departments, code=REVENUE_DEPARTMENT)
                  .values_list("pk", flat=True)) if departments else set()
    return {m.municipality_id for m in grants
            if not m.department_id or m.department_id in revenue}


def is_revenue_staff(actor: Actor, municipality_id: int) -> bool:
    ids = revenue_municipality_ids(actor)
    return ids is None or municipality_id in ids


def require_revenue(actor: Actor, municipality_id: int) -> None:
    """What every staff write on accounts checks: ``billing.manage`` in the municipality,
    from a membership not narrowed to another department (a Water manager holds the
    permission by role, but works no accounts)."""
    require(actor, MANAGE, municipality_id)
    if not is_revenue_staff(actor, municipality_id):
        raise PermissionDenied(_("Only revenue staff of the municipality can do this."))


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}


@transaction.atomic
def arrangement_policy_set(*, actor: Actor, municipality: Municipality,
                           **fields) -> ArrangementPolicy:
    """Set some or all of ``POLICY_FIELDS`` on the municipality's policy, creating its row
    (from the defaults) the first time. Revenue managers of the municipality only, or a
    platform administrator. Every value is checked against the model's limits; a bad one
    is refused with each field's reason (``errors``) and nothing is written. Audited as
    ``billing.policy_set`` with the old and new values of what changed."""
    if not is_revenue_staff(actor, municipality.pk):
        raise PermissionDenied(_("Only revenue managers of %(municipality)s can change its "
                                 "arrangement policy.") % {"municipality": municipality.name})
    policy = ArrangementPolicy.objects.select_for_update().filter(
        municipality=municipality).first()
    created = policy is None
    if created:
        policy = ArrangementPolicy(municipality=municipality)
    before = {name: getattr(policy, name) for name in POLICY_FIELDS}
    fields_assign(policy, fields, POLICY_FIELDS)  # an unknown field is refused, naming it
    try:
        policy.full_clean(exclude=["municipality"])  # also turns typed text into values
    except ValidationError as error:
        errors = _field_errors(error)
        first = next(iter(errors))
        raise ImbizoError("invalid_policy", errors[first][0], field=first,
                          errors=errors) from None
    moved = [name for name in POLICY_FIELDS if getattr(policy, name) != before[name]]
    if not moved and not created:
        return policy
    try:
        with transaction.atomic():
            policy.save() if created else policy.save(update_fields=[*moved, "updated"])
    except IntegrityError:  # another first policy for the municipality committed first
        raise ImbizoError("policy_changed", _("Someone else saved this policy at the same "
                                              "time. Reload it and try again."),
                          status=409) from None
    audit_record(actor=actor.label, channel=actor.channel, action="billing.policy_set",
                 obj=policy, municipality_code=municipality.code,
                 changes={name: {"from": str(before[name]), "to": str(getattr(policy, name))}
                          for name in moved} | ({"created": True} if created else {}))
    return policy
