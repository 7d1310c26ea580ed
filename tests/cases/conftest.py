"""Two municipalities with departments and the standard categories."""

import pytest

from imbizo.accounts.models import Department
from imbizo.accounts.permissions import citizen_actor, system_actor
from imbizo.accounts.services import citizen_register, department_create
from imbizo.cases.catalogue import categories_install_standard
from imbizo.cases.services import Location, case_log

DEPARTMENTS = ["water", "electricity", "roads", "waste", "fire"]


@pytest.fixture
def municipalities(two_municipalities):
    system = system_actor("cli")
    for municipality in two_municipalities:
        for code in DEPARTMENTS:
            department_create(actor=system, municipality=municipality, code=code,
                              name=code.title())
        categories_install_standard(actor=system, municipality=municipality)
    return two_municipalities


@pytest.fixture
def department(municipalities):
    def get(code: str, municipality: str = "AAA") -> Department:
        return Department.objects.get(code=code, municipality__code=municipality)
    return get


@pytest.fixture
def resident(municipalities):
    citizen = citizen_register(actor=system_actor("ussd"), phone="0821234567", name="Nomsa")
    return citizen_actor(citizen, channel="ussd")


@pytest.fixture
def log_case(municipalities, resident):
    """Log a case in AAA ward 1 (or anywhere) as the resident, through the one service."""
    def log(category: str = "pothole", *, lat: float = -29.95, lon: float = 20.05,
            actor=None, **kwargs):
        return case_log(actor=actor or resident, category=category,
                        description=kwargs.pop("description", "Big hole in the road"),
                        location=kwargs.pop("location", Location(latitude=lat, longitude=lon)),
                        **kwargs)
    return log
