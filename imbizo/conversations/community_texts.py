"""The "My community" menu (flows/community.yaml): its title and the label of each part.
Labels stay within 20 characters in every language (a WhatsApp button or list row)."""

from django.utils.translation import gettext_lazy as _

from .texts import TEXTS

TEXTS.update({
    "menu_community": _("My community"),
    "community_menu": _("Your community: what do you need?"),
    "menu_representatives": _("My councillor"),
    "menu_loadshedding": _("Load-shedding"),
    "menu_facilities": _("Nearest clinic etc."),
    "menu_matters": _("Raise with councillor"),
    "menu_news": _("News"),
    "menu_meetings": _("Meetings"),
    "menu_directory": _("Contacts & forms"),
    "menu_share": _("Share this service"),
})
