"""The nav's "Community" link (meetings, the directory, sharing), for staff holding
``community.manage`` (console/community_access.py)."""

from django import template

from imbizo.community.meetings import MANAGE

register = template.Library()


@register.simple_tag(takes_context=True)
def community_link(context) -> bool:
    """Whether the signed-in staff member may open the community console (no query)."""
    request = getattr(context, "request", None) or context.get("request")
    actor = getattr(request, "console_actor", None)
    return actor is not None and actor.has(MANAGE)
