"""What the load-shedding flow says about alerts (flows/loadshedding.yaml, after the
times), added to ``texts.TEXTS``; labels within 20 characters in every language."""

from django.utils.translation import gettext_lazy as _

from .texts import TEXTS

ALERT_TEXTS = {
    "loadshedding_alert_me": _("Alert me"),
    "loadshedding_alert_stop": _("Stop alerts"),
    "loadshedding_alert_on": _("You will get alerts for %(loadshedding_area_name)s before "
                               "each outage and when the stage changes."),
    "loadshedding_alert_off": _("No more alerts for %(loadshedding_area_name)s."),
    "loadshedding_alerts_all_off": _("You will get no more load-shedding alerts. Follow an "
                                     "area again from the Load-shedding menu."),
}
TEXTS.update(ALERT_TEXTS)
