"""AAA's ward 1 with its councillor, residents of wards 1 and 2, and a helper to raise a
matter through the one service."""

import pytest
from django.utils.translation import override

from imbizo.accounts.models import Role
from imbizo.accounts.permissions import citizen_actor, staff_actor
from imbizo.accounts.services import citizen_register, membership_grant, staff_user_create
from imbizo.core.config_cache import config_cache
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Ward
from imbizo.matters.services import matter_raise

RESIDENT = "+27821234567"
NEIGHBOUR = "+27825550001"
OUTSIDER = "+27825550002"  # lives in ward 2


@pytest.fixture(autouse=True)
def memo_forgotten():
    yield
    config_cache.clear()


@pytest.fixture
def wards(municipalities):
    aaa, bbb = municipalities
    Ward.objects.filter(municipality=aaa, number=1).update(suburbs="Sizwe\nKwaMashu")
    return {"1": Ward.objects.get(municipality=aaa, number=1),
            "2": Ward.objects.get(municipality=aaa, number=2),
            "bbb": Ward.objects.get(municipality=bbb, number=1)}


def _resident(phone: str, ward: Ward, name: str, language: str = "en"):
    return citizen_register(actor=system_actor("ussd"), phone=phone, name=name,
                            municipality=ward.municipality, ward=ward, language=language)


@pytest.fixture
def people(wards):
    """Residents as actors: Nomsa (ward 1, on USSD), Thabo (ward 1, WhatsApp) and Pieter
    (ward 2, web)."""
    return {"nomsa": citizen_actor(_resident(RESIDENT, wards["1"], "Nomsa Dube"), channel="ussd"),
            "thabo": citizen_actor(_resident(NEIGHBOUR, wards["1"], "Thabo Nkosi"),
                                   channel="whatsapp"),
            "pieter": citizen_actor(_resident(OUTSIDER, wards["2"], "Pieter Botha"),
                                    channel="web")}


def _staff(username: str, first_name: str, **grant):
    system = system_actor("cli")
    user = staff_user_create(actor=system, username=username, password="a-long-test-password",
                             email=f"{username}@example.org", first_name=first_name,
                             last_name="Test")
    membership_grant(actor=system, user=user, **grant)
    return staff_actor(user, channel="console")


@pytest.fixture
def staff(wards):
    """Actors of AAA's councillors of wards 1 and 2, its manager (of the whole
    municipality) and an agent, and BBB's councillor of its ward 1; each with an e-mail."""
    aaa, bbb = wards["1"].municipality, wards["bbb"].municipality
    return {
        "councillor": _staff("cllr1", "Noluthando", role=Role.COUNCILLOR, municipality=aaa,
                             ward=wards["1"]),
        "councillor2": _staff("cllr2", "Sipho", role=Role.COUNCILLOR, municipality=aaa,
                              ward=wards["2"]),
        "manager": _staff("manager", "Luvuyo", role=Role.MANAGER, municipality=aaa),
        "agent": _staff("agent", "Nomvula", role=Role.AGENT, municipality=aaa),
        "bbb_councillor": _staff("cllrb", "Pieter", role=Role.COUNCILLOR, municipality=bbb,
                                 ward=wards["bbb"]),
    }


@pytest.fixture
def raise_matter(people, wards):
    """Raise a matter in ward 1 as Nomsa (or whoever is named)."""
    def make(kind: str = "issue", *, who: str = "nomsa", ward: str = "1",
             text: str = "The streetlights on Main Road have been off for a month.", **kw):
        with override("en"):
            return matter_raise(actor=people[who], kind=kind, ward=wards[ward], text=text, **kw)
    return make
