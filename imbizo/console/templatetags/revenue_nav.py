"""The nav's "Revenue" link, for revenue staff only (console/revenue_access.py)."""

from django import template

from imbizo.console.revenue_access import may_use_revenue

register = template.Library()


@register.simple_tag(takes_context=True)
def revenue_link(context) -> bool:
    """Whether the signed-in staff member may open the revenue console (one query at
    most, for the departments' codes; none for staff without ``billing.manage``)."""
    request = getattr(context, "request", None) or context.get("request")
    actor = getattr(request, "console_actor", None)
    return actor is not None and may_use_revenue(actor)
