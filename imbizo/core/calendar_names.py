"""The names of months and weekdays, declared here with the very msgids (and contexts)
Django's date formatting looks up, so that ``makemessages`` puts them in our catalogs:
Django ships no isiZulu, isiXhosa, Sesotho or Setswana catalog, and without these a date
on a page or a USSD screen would fall back to English. Nothing imports this module."""

from django.utils.translation import gettext_noop as _

MONTHS = (_("January"), _("February"), _("March"), _("April"), _("May"), _("June"),
          _("July"), _("August"), _("September"), _("October"), _("November"),
          _("December"))
# Lower case, as Django keeps them: the "M" format capitalises the first letter.
MONTHS_3 = (_("jan"), _("feb"), _("mar"), _("apr"), _("may"), _("jun"), _("jul"), _("aug"),
            _("sep"), _("oct"), _("nov"), _("dec"))
WEEKDAYS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
            _("Saturday"), _("Sunday"))
WEEKDAYS_ABBR = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
