"""The kinds of facility: a fixed list, each with a full label (the site, the API) and a
short one within 20 characters (a USSD or WhatsApp option) in every language.

A search for a kind may take in others: there are no primary-care clinics in the national
health set, so "clinic" answers with the nearest clinic, community health centre or
community day centre, each shown as what it is.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imbizo.core.errors import ImbizoError


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # lazy: the language is the caller's
    short: object
    includes: tuple[str, ...] = ()  # other kinds a search for this one also finds

    @property
    def searched(self) -> tuple[str, ...]:
        return (self.code, *self.includes)


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("clinic", gettext_lazy("Clinic or health centre"), gettext_lazy("Clinic"), ("chc", "cdc")),
    Kind("chc", gettext_lazy("Community health centre"), gettext_lazy("Health centre")),
    Kind("cdc", gettext_lazy("Community day centre"), gettext_lazy("Day centre")),
    Kind("hospital", gettext_lazy("Hospital"), gettext_lazy("Hospital")),
    Kind("ems", gettext_lazy("Ambulance (EMS) station"), gettext_lazy("Ambulance station")),
    Kind("police", gettext_lazy("Police station"), gettext_lazy("Police station")),
    Kind("fire", gettext_lazy("Fire station"), gettext_lazy("Fire station")),
    Kind("municipal_office", gettext_lazy("Municipal office"), gettext_lazy("Municipal office")),
    Kind("pay_point", gettext_lazy("Pay point"), gettext_lazy("Pay point")),
    Kind("library", gettext_lazy("Library"), gettext_lazy("Library")),
    Kind("water_point", gettext_lazy("Water point"), gettext_lazy("Water point")),
    Kind("thusong", gettext_lazy("Thusong service centre"), gettext_lazy("Thusong centre")),
    Kind("community_hall", gettext_lazy("Community hall"), gettext_lazy("Community hall")),
)}
KIND_CHOICES = [(k.code, k.label) for k in KINDS.values()]
CODE_MAX = max(len(code) for code in KINDS)


def kind_get(code: str) -> Kind:
    """The kind named by ``code``, or a 400 listing the kinds there are."""
    found = KINDS.get((code or "").strip().lower())
    if found is None:
        raise ImbizoError(
            "unknown_kind",
            _("There is no kind of facility called %(kind)s. The kinds are: %(kinds)s.")
            % {"kind": repr(code), "kinds": ", ".join(KINDS)},
            field="kind", kinds=list(KINDS))
    return found
