"""What the load-shedding flow (flows/loadshedding.yaml) says, added to ``texts.TEXTS``.
Labels of options stay within 20 characters in every language; the times screen is fitted
to the channel by ``loadshedding_flow.loadshedding_show`` (USSD: 182 characters)."""

from django.utils.translation import gettext_lazy as _

from .texts import TEXTS

LOADSHEDDING_TEXTS = {
    "loadshedding_remembered": _("Load-shedding: %(loadshedding_area_name)s."),
    "loadshedding_show": _("Show the times"),
    "loadshedding_other": _("Another area"),
    "loadshedding_how": _("Load-shedding: find your area."),
    "loadshedding_way_list": _("Pick from a list"),
    "loadshedding_way_suburb": _("Type my suburb"),
    "loadshedding_way_location": _("Send my location"),
    "loadshedding_pick": _("Which area?"),
    "loadshedding_suburb_ask": _("Type the name of your suburb or village."),
    "loadshedding_where": _("Type the name of your suburb or village."),
    "loadshedding_where_gps": _("Share your location, or type the name of your suburb or "
                                "village."),
    "loadshedding_times": _("%(loadshedding_area_name)s, stage %(loadshedding_stage)s. "
                            "Today: %(loadshedding_today)s. Tomorrow: "
                            "%(loadshedding_tomorrow)s.%(loadshedding_next)s"),
    "loadshedding_none": _("No load-shedding for %(loadshedding_area_name)s today or "
                           "tomorrow.%(loadshedding_next)s"),
}
TEXTS.update(LOADSHEDDING_TEXTS)

# Parts of the times screen, filled in by the action.
NO_TIMES = _("none")
NEXT_CHANGE = _("Stage %(stage)s from %(when)s.")
NO_AREAS = _("We have no load-shedding areas on record for %(municipality)s. Type the name "
             "of your suburb instead.")
NOT_FOUND = _("No area found for \"%(words)s\". Try another spelling, or part of the name.")
