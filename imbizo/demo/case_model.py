"""How the demo's cases fall: the numbers behind its year of case history.

When (seasons, weekdays, hours of the day), where (town against rural wards), what (each
category's share, texts and followers), through which channel, and how well each
department keeps its service levels. They are kept apart from the generator
(``case_history.py``) so that they can be read and tuned in one place, and because
``bench/cases_million.py`` draws its million cases from the same model. Nothing here reads the
database or draws a random number.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import holidays

CASES = 10_000
HISTORY_DAYS = 365
CHANNELS = {"ussd": 35, "whatsapp": 25, "web": 15, "phone": 15, "sms": 5, "api": 5}
# Share of a channel's cases whose reporter is a registered resident (the rest give a
# name and number, an e-mail address or nothing).
RESIDENT_SHARE = {"ussd": 1.0, "whatsapp": 1.0, "sms": 1.0, "web": 0.6, "phone": 0.5, "api": 0.0}
WEEKDAY = (1.15, 1.05, 1.0, 1.0, 0.95, 0.75, 0.65)  # Monday catches up on the weekend
# Cases per hour of the day (SAST), relative: few at night in every profile.
DAYTIME = (0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.7, 1.2, 1.6, 1.7, 1.6, 1.5,
           1.4, 1.4, 1.4, 1.3, 1.3, 1.2, 1.0, 0.9, 0.7, 0.5, 0.35, 0.2)
EVENING = (0.35, 0.25, 0.2, 0.2, 0.25, 0.45, 0.8, 1.0, 1.0, 0.9, 0.9, 0.9,
           0.9, 0.9, 0.9, 1.0, 1.2, 1.6, 1.9, 1.9, 1.6, 1.2, 0.8, 0.55)
MORNING = (0.2, 0.15, 0.15, 0.2, 0.45, 1.1, 1.9, 2.0, 1.7, 1.4, 1.2, 1.1,
           1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.6, 0.45, 0.3, 0.25)
LATE = (0.6, 0.5, 0.45, 0.4, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
        1.1, 1.2, 1.3, 1.3, 1.3, 1.4, 1.6, 1.7, 1.6, 1.4, 1.1, 0.8)
# By month, January first. DMO is inland Eastern Cape: frost in June-August, summer
# rain from November to March, dry veld (and paraffin heaters) in winter.
FLAT = (1.0,) * 12
FROST = (0.8, 0.8, 0.9, 1.0, 1.3, 2.2, 2.6, 2.1, 1.2, 0.9, 0.8, 0.8)
WINTER_LOAD = (0.9, 0.9, 0.9, 1.0, 1.2, 1.7, 1.9, 1.7, 1.2, 1.0, 0.9, 0.9)
RAINS = (3.0, 3.0, 2.4, 1.0, 0.3, 0.15, 0.15, 0.2, 0.4, 1.0, 2.2, 2.8)
RAIN_DRAINS = (1.6, 1.6, 1.4, 1.0, 0.8, 0.7, 0.7, 0.7, 0.8, 1.0, 1.4, 1.6)
AFTER_RAIN = (1.3, 1.4, 1.4, 1.2, 1.0, 0.9, 0.85, 0.85, 0.9, 0.95, 1.05, 1.2)
DRY_SEASON = (0.6, 0.6, 0.7, 0.8, 1.1, 1.5, 1.8, 1.9, 1.5, 1.0, 0.7, 0.6)
BEFORE_RAIN = (0.9, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0, 1.1, 1.2, 1.3, 1.2, 1.0)
# Service levels met (resolved in time), by department; water struggles in winter.
MET = {"water": 0.76, "electricity": 0.8, "roads": 0.68, "waste": 0.84, "fire": 0.88,
       "community": 0.78}
WINTER_WATER_PENALTY = 0.1
ACK_MET = 0.9
REJECTED, CANCELLED, HOLD, REOPEN, RESIDENT_CLOSES, RATES = 0.03, 0.02, 0.09, 0.02, 0.45, 0.6
RATINGS_MET = (4, 6, 18, 37, 35)  # percent giving 1..5 when the service level was met
RATINGS_LATE = (25, 25, 25, 15, 10)
STREETS = ("Main Road", "Church Street", "Station Road", "Hospital Street", "Market Street",
           "Mandela Drive", "Tambo Avenue", "Sisulu Street", "School Road", "Mission Road",
           "Dam Road", "Kerk Street", "Queen Street", "Taxi Rank Road", "Clinic Street")
HOLD_REASONS = ("Waiting for parts from the supplier.", "Waiting for the contractor.",
                "Waiting for Eskom to isolate the line.", "Waiting for budget approval.",
                "Waiting for access to the property.")
FEEDBACK_GOOD = ("Thank you, fixed quickly.", "Good service.", "The team was friendly.",
                 "Sorted out the same day.")
FEEDBACK_BAD = ("Took far too long.", "Nobody told us what was happening.",
                "Fixed, but it broke again.", "We reported it many times.")


@dataclass(frozen=True)
class Profile:
    """How one category's cases fall over a year, a day and the wards."""

    weight: float  # share of a year's cases, before the season
    descriptions: tuple[str, ...]
    resolution: str
    season: tuple[float, ...] = FLAT
    hours: tuple[float, ...] = DAYTIME
    town: float = 2.5  # a town ward's weight against a rural ward's 1
    followers: tuple[float, int] = (0.03, 1)  # share with "me too" followers, most of them


PROFILES: dict[str, Profile] = {
    "pothole": Profile(18, ("Deep pothole on {street} near {suburb}.",
                            "Potholes all along {street}, cars are swerving.",
                            "Big hole in the road outside number {number}, {street}."),
                       "Pothole filled and compacted.", AFTER_RAIN, town=3,
                       followers=(0.08, 2)),
    "outage": Profile(13, ("No electricity in {suburb} since this afternoon.",
                           "Power is off on {street}; the neighbours too.",
                           "Transformer bang near {street}, whole area dark."),
                      "Supply restored.", WINTER_LOAD, EVENING, followers=(0.35, 6)),
    "streetlight": Profile(9, ("Streetlight out on {street}, {suburb}.",
                               "Three lights off along {street}; it is dangerous at night."),
                           "Lamp replaced.", hours=EVENING, town=4, followers=(0.06, 2)),
    "no-water": Profile(9, ("No water in {suburb} since morning.",
                            "Taps dry on {street} for two days."),
                        "Supply restored.", BEFORE_RAIN, MORNING, town=1.5,
                        followers=(0.3, 6)),
    "burst-pipe": Profile(7, ("Burst pipe on {street}, water running down the road.",
                              "Water pipe burst outside number {number}, {street}."),
                          "Pipe repaired.", FROST, MORNING, followers=(0.25, 4)),
    "water-leak": Profile(8, ("Leak at the meter box, {street}.",
                              "Water leaking from the pavement on {street}, {suburb}."),
                          "Leak repaired.", followers=(0.05, 2)),
    "missed-collection": Profile(8, ("Bins not collected on {street} this week.",
                                     "Refuse truck skipped {suburb} again."),
                                 "Collected.", town=4, followers=(0.15, 3)),
    "illegal-dumping": Profile(6, ("Rubble and rubbish dumped at the corner of {street}.",
                                   "Someone dumps garden refuse on the open plot in {suburb}."),
                               "Site cleared.", town=3, followers=(0.1, 3)),
    "blocked-drain": Profile(6, ("Stormwater drain blocked on {street}; the road floods.",),
                             "Drain cleared.", RAIN_DRAINS, followers=(0.05, 2)),
    "sewage-spill": Profile(4.5, ("Sewage overflowing from the manhole on {street}.",
                                  "Sewer spill running into the yards in {suburb}."),
                            "Blockage cleared and area disinfected.", followers=(0.2, 3)),
    "water-meter": Profile(3, ("My water meter is not turning.",
                               "Meter reading is far too high; I think the meter is broken."),
                           "Meter replaced.", town=3),
    "illegal-connection": Profile(2.5, ("Illegal connections from the pole on {street}.",),
                                  "Connections removed.", town=2),
    "flooding": Profile(1.5, ("Houses flooded in {suburb} after the storm.",
                              "{street} under water, cars cannot pass."),
                        "Water pumped out; drains cleared.", RAINS, LATE, town=2,
                        followers=(0.3, 5)),
    "fire": Profile(0.7, ("Shack fire in {suburb}.", "Veld fire spreading towards {suburb}."),
                    "Fire extinguished.", DRY_SEASON, LATE, town=2, followers=(0.1, 2)),
    "bill-query": Profile(2, ("Please explain the water charge on my account this month.",
                              "I paid last month but my account still shows arrears.",
                              "My rates went up and nobody told me why."),
                          "Account checked and the charge explained.", town=2,
                          followers=(0, 0)),
}

# A category added to the standard tree later still gets cases, plainly, until it has its own.
PLAIN = Profile(1.0, ("Problem reported on {street}, {suburb}.",), "Done.")


def profile_for(code: str) -> Profile:
    return PROFILES.get(code, PLAIN)


def category_day_weight(category: str, day: date, za: holidays.HolidayBase) -> float:
    """How many of ``category``'s cases fall on ``day``, relative (season, weekday, holidays)."""
    profile = profile_for(category)
    weight = profile.weight * profile.season[day.month - 1] * WEEKDAY[day.weekday()]
    if category == "missed-collection":  # collection skipped on a holiday is missed after it
        if any(day - timedelta(days=k) in za for k in (1, 2, 3)):
            weight *= 2.5
        if (day.month, day.day) >= (12, 16) or (day.month, day.day) <= (1, 6):
            weight *= 1.8
    return weight
