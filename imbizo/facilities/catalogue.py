"""The published data sets Imbizo knows how to read (``../shared/data/facilities``), the
terms each is shown under, and how a file is recognised as one of them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceSpec:
    key: str
    name: str
    licence: str
    licence_url: str
    attribution: str
    credit: str  # a few words, for a USSD screen
    url: str = ""

    def as_fields(self) -> dict:
        return {"name": self.name, "licence": self.licence, "licence_url": self.licence_url,
                "attribution": self.attribution, "credit": self.credit, "url": self.url}


DSFSI_HEALTH = SourceSpec(
    key="dsfsi-health",
    name="South African health facilities (dsfsi/covid19za)",
    licence="CC BY-SA 4.0",
    licence_url="https://creativecommons.org/licenses/by-sa/4.0/",
    attribution=("Health facilities from the covid19za data of Data Science for Social Impact, "
                 "University of Pretoria (National Department of Health data dictionary "
                 "extracts, 2020-21), licensed CC BY-SA 4.0; derived data shared alike."),
    credit="DSFSI UP, CC BY-SA 4.0",
    url="https://github.com/dsfsi/covid19za",
)
SAPS_STATIONS = SourceSpec(
    key="saps-stations",
    name="SAPS police stations (mpjashby/crimemapping)",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    attribution=("Police station locations from Matt Ashby's crimemapping package (SAPS "
                 "station coordinates as published on OpenUp's data portal), licensed "
                 "CC BY 4.0."),
    credit="SAPS via M. Ashby, CC BY 4.0",
    url="https://github.com/mpjashby/crimemapping",
)
KNOWN = {spec.key: spec for spec in (DSFSI_HEALTH, SAPS_STATIONS)}

# Headers that name a file as one of the dsfsi health extracts (compared in lower case).
_DSFSI_SIGNS = ({"orgunittype", "province"}, {"geo_subdivision", "category", "long", "lat"})


def recognise(columns: list[str], shapefile: bool) -> SourceSpec | None:
    """The known data set a file with these columns is, if any."""
    lowered = {c.strip().lower() for c in columns}
    if shapefile:
        return SAPS_STATIONS if lowered == {"station"} else None
    if any(sign <= lowered for sign in _DSFSI_SIGNS):
        return DSFSI_HEALTH
    return None
