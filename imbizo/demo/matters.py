"""The demo's matters: a handful of issues and suggestions DMO's residents raised with the
councillor of ward 1 (the demo councillor, docs/demo.md) and of ward 2, in every state:
waiting, acknowledged, answered, referred to a department as a case, closed, and public
suggestions neighbours support. All through the matters services, so each has its
reference, history, audit entries and events; a second ``imbizo demo`` adds nothing."""

from random import Random

from django.contrib.auth import get_user_model

from imbizo.accounts.models import Citizen, Role
from imbizo.accounts.permissions import citizen_actor, staff_actor
from imbizo.cases.selectors import category_for_logging
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality, Ward
from imbizo.matters.lifecycle import (
    matter_acknowledge,
    matter_answer,
    matter_close,
    matter_refer,
)
from imbizo.matters.models import Matter
from imbizo.matters.services import matter_raise
from imbizo.matters.support import matter_support

# (ward number, kind, public, channel, words with {suburb}, what the councillor does, supporters)
MATTERS = (
    (1, "issue", False, "ussd", "The streetlights in {suburb} have been off for two weeks. "
     "It is not safe to walk home from the taxi rank.", "answer", 0),
    (1, "issue", False, "whatsapp", "Water has been leaking from the main pipe on the corner "
     "near the {suburb} clinic since Monday.", "refer", 0),
    (1, "suggestion", True, "web", "Please put a speed bump outside the primary school in "
     "{suburb}: taxis drive far too fast there.", "acknowledge", 4),
    (1, "suggestion", True, "ussd", "Turn the empty plot next to the {suburb} community hall "
     "into a park with a playground.", "", 2),
    (1, "issue", False, "sms", "People dump rubbish behind the shops in {suburb} every "
     "weekend.", "", 0),
    (1, "issue", False, "web", "The stormwater drain in {suburb} overflowed in the last "
     "rain.", "close", 0),
    (2, "suggestion", True, "whatsapp", "A weekly market at the {suburb} sports ground would "
     "help local traders.", "", 1),
)
ANSWER = ("I reported it to Electricity; a repair team is booked for Thursday. Please tell "
          "me if they are still off on Friday.")
CLOSING = "The drain was cleared by Roads last week. Thank you for raising it."
REFER_TO = ("water-leak", "burst-pipe")


def _councillor(ward: Ward) -> Actor | None:
    user = get_user_model().objects.filter(
        memberships__role=Role.COUNCILLOR, memberships__ward=ward, memberships__active=True,
        is_active=True).order_by("pk").first()
    return staff_actor(user, channel="console") if user else None


def _residents(ward: Ward) -> list[Citizen]:
    return list(Citizen.objects.filter(ward=ward, erased__isnull=True, phone__isnull=False)
                .order_by("phone")[:12])


def _act(councillor: Actor, matter: Matter, step: str) -> None:
    if step == "acknowledge":
        matter_acknowledge(actor=councillor, matter=matter)
    elif step == "answer":
        matter_answer(actor=councillor, matter=matter, text=ANSWER)
    elif step == "close":
        matter_close(actor=councillor, matter=matter, note=CLOSING)
    elif step == "refer":
        category = next((code for code in REFER_TO
                         if category_for_logging(matter.municipality, code)), None)
        if category:
            matter_refer(actor=councillor, matter=matter, category=category,
                         note="Water & Sanitation will send a team.")


def seed(*, actor: Actor, municipality: Municipality, seed: int) -> None:
    """Raise the demo's matters once (none yet in the municipality)."""
    if Matter.objects.filter(municipality=municipality).exists():
        return
    rng = Random(f"{seed}:matters")
    wards = {w.number: w for w in Ward.objects.filter(municipality=municipality, number__in=(1, 2))
             .select_related("municipality").defer("boundary", "municipality__boundary")}
    for number, kind, public, channel, words, step, supporters in MATTERS:
        ward = wards.get(number)
        people = _residents(ward) if ward else []
        if len(people) < supporters + 1:
            continue  # a demo with too few residents here: leave it out
        raiser, *others = rng.sample(people, len(people))
        suburb = (ward.suburbs.splitlines() or [f"ward {number}"])[0]
        matter = matter_raise(actor=citizen_actor(raiser, channel=channel), kind=kind, ward=ward,
                              text=words.format(suburb=suburb), public=public)
        for neighbour in others[:supporters]:
            matter_support(actor=citizen_actor(neighbour, channel="ussd"), matter=matter)
        councillor = _councillor(ward)
        if step and councillor is not None:
            try:
                _act(councillor, matter, step)
            except ImbizoError:  # a municipality without the category: the matter waits
                continue
