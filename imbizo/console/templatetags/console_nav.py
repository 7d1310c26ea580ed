"""The console's nav, from the signed-in actor's roles (console/roles.py)."""

from django import template
from django.utils.translation import gettext_lazy as _

from imbizo.console.roles import nav

register = template.Library()

LABELS = {
    "queue": _("My queue"), "cases": _("All cases"), "inbox": _("Inbox"),
    "call": _("Log a call"), "ward": _("My ward"), "map": _("Map"), "work": _("Work orders"),
}


@register.inclusion_tag("console/_nav.html", takes_context=True)
def console_nav(context):
    request = context.get("request")
    actor = getattr(request, "console_actor", None)
    pages = nav(actor) if actor else [("console:my_queue", "queue"), ("console:cases", "cases")]
    return {"links": [(name, LABELS[key]) for name, key in pages]}
