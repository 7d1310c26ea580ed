"""The demo's meetings, directory and share code (docs/community.md, docs/demo.md).

- A ward 1 meeting next week, announced by the demo councillor through the service (its
  residents who agreed to news are told, and the reminder is scheduled), and one held a
  month ago with answers on several channels, written directly: the service announces only
  meetings to come (like the year of case history, demo/cases.py, it is written in bulk
  with one summarising audit entry).
- The directory: a few departments' numbers and hours, and a PDF form made in code
  (demo/community_pdf.py).
- The share code ``/s/dmo`` with the simulator's USSD code.

Idempotent: each part is looked for by its title, name or code first, so a second
``imbizo demo`` adds nothing. Every number and name is fictional.
"""

from datetime import datetime, time, timedelta
from random import Random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from imbizo.accounts.models import Citizen, Department
from imbizo.accounts.permissions import staff_actor
from imbizo.audit.services import audit_record
from imbizo.community.directory import directory_entry_create, directory_form_add
from imbizo.community.directory_models import DirectoryEntry
from imbizo.community.meeting_models import Meeting, MeetingWard, Rsvp
from imbizo.community.meetings import meeting_announce
from imbizo.community.share import share_code_set
from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality, Ward

from .community_pdf import form_pdf
from .simulator_payloads import SERVICE_CODE

COUNCILLOR = "demo-councillor"
NEXT_TITLE = "Ward 1 community meeting: water and roads"
PAST_TITLE = "Ward 1 report-back on the new clinic"
PAST_ANSWERS = 40
CHANNELS = ("ussd", "ussd", "whatsapp", "sms", "web")
FORM_TITLE = "Application for a water connection"
# (department code or "", name, phone, hours, keywords, description)
ENTRIES = (
    ("water", "Water & Sanitation faults", "047 555 0101", "24 hours",
     "leak burst pipe sewer meter",
     "Burst pipes, no water, blocked sewers and water meters."),
    ("electricity", "Electricity faults", "047 555 0102", "24 hours",
     "power outage prepaid streetlight",
     "Outages, prepaid meter problems and streetlights."),
    ("revenue", "Revenue & Billing enquiries", "047 555 0103", "Mon-Fri 08:00-16:00",
     "rates account bill indigent payment",
     "Accounts, rates, payment arrangements and indigent support."),
    ("community", "Community Services: clinics and libraries", "047 555 0104",
     "Mon-Fri 07:30-16:00", "clinic library hall sports",
     "Bookings of halls and sports fields; clinic and library hours."),
    ("", "Municipal switchboard", "047 555 0100", "Mon-Fri 08:00-16:30",
     "office mayor general", "Any other question: the switchboard puts you through."),
)


def _councillor() -> Actor | None:
    user = get_user_model().objects.filter(username=COUNCILLOR).first()
    return staff_actor(user, channel="console") if user else None


def _next_week(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=7)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _meetings(actor: Actor, municipality: Municipality, rng: Random) -> None:
    ward = Ward.objects.defer("boundary").get(municipality=municipality, number=1)
    hall = f"{(ward.suburbs.splitlines() or ['Ward 1'])[0]} Community Hall"
    found = set(Meeting.objects.filter(municipality=municipality,
                                       title__in=[NEXT_TITLE, PAST_TITLE])
                .values_list("title", flat=True))
    organiser = _councillor()
    if NEXT_TITLE not in found and organiser is not None:
        meeting_announce(actor=organiser, municipality=municipality, title=NEXT_TITLE,
                         venue=hall, starts=_next_week(18), ends=_next_week(20), wards=[1],
                         agenda="1. Water interruptions in Sizwe\n2. Potholes on the main "
                                "road\n3. Questions from residents")
    if PAST_TITLE not in found:
        _past_meeting(actor, municipality, ward, hall, organiser, rng)


@transaction.atomic
def _past_meeting(actor: Actor, municipality: Municipality, ward: Ward, hall: str,
                  organiser: Actor | None, rng: Random) -> None:
    starts = _next_week(17) - timedelta(days=37)
    meeting = Meeting.objects.create(
        municipality=municipality, title=PAST_TITLE, venue=hall, starts=starts,
        ends=starts + timedelta(hours=2), agenda="The clinic's opening hours and staff.",
        organiser=organiser.user if organiser else None)
    MeetingWard.objects.create(meeting=meeting, ward=ward)
    residents = list(Citizen.objects.filter(municipality=municipality, ward=ward)
                     .order_by("pk").values_list("pk", flat=True)[:PAST_ANSWERS])
    Rsvp.objects.bulk_create([
        Rsvp(meeting=meeting, citizen_id=pk, channel=rng.choice(CHANNELS),
             answer=rng.choice(("yes", "yes", "maybe", "no"))) for pk in residents])
    audit_record(actor=actor.label, channel=actor.channel, action="community.demo_meeting",
                 obj=meeting, municipality_code=municipality.code,
                 changes={"answers": len(residents)})


def _directory(actor: Actor, municipality: Municipality) -> None:
    existing = set(DirectoryEntry.objects.filter(municipality=municipality)
                   .values_list("name", flat=True))
    departments = {d.code: d for d in Department.objects.filter(municipality=municipality)}
    for code, name, phone, hours, keywords, description in ENTRIES:
        if name in existing:
            continue
        entry = directory_entry_create(
            actor=actor, municipality=municipality, name=name,
            department=departments.get(code), phone=phone, hours=hours, keywords=keywords,
            description=description, email=f"{code or 'info'}@demo.example.org")
        if code == "water":
            directory_form_add(actor=actor, entry=entry, title=FORM_TITLE, content=form_pdf(
                f"{municipality.name}: {FORM_TITLE}", [
                    "Demo form: fictional municipality, not for real use.", "",
                    "Account holder's name: ______________________________",
                    "ID number: _____________________",
                    "Street address: ______________________________",
                    "Phone number: ____________________", "",
                    "Hand it in at the municipal offices or e-mail it to "
                    "water@demo.example.org."]))


def seed(*, actor: Actor, municipality: Municipality, seed: int) -> None:
    rng = Random(seed)
    _meetings(actor, municipality, rng)
    _directory(actor, municipality)
    share_code_set(actor=actor, municipality=municipality, ussd_code=SERVICE_CODE)
