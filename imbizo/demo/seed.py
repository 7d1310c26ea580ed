"""Load the generated demo through the project's own services, all or nothing.

Geography goes through ``boundaries_import`` from GeoJSON files, exactly like real
boundaries; departments, staff, residents and consent through the accounts
services, so every row is validated and audited; categories and routing rules through
the cases catalogue. The year of case history is the one bulk load (see ``cases.py``).
A demo already loaded is reused; one loaded before it had a case history or municipal
accounts gets them.
"""

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from imbizo.accounts.models import Citizen, Department, Role
from imbizo.accounts.services import (
    citizen_register,
    consent_give,
    department_create,
    membership_grant,
    staff_user_create,
    superuser_grant,
)
from imbizo.billing.models import UtilityAccount
from imbizo.cases.models import Case, Category
from imbizo.core.permissions import Actor, system_actor
from imbizo.geo.models import Municipality, Ward
from imbizo.geo.services import Fields, boundaries_import, province_ensure, ward_suburbs_set

from .cases import CASES, demo_cases_loaded, demo_cases_seed
from .community_seed import demo_community_seed
from .geography import (
    DEFAULT_SEED,
    MUNICIPALITY_CODE,
    PROVINCE_CODE,
    PROVINCE_NAME,
    WARD_COUNT,
    DemoGeography,
    generate_geography,
)
from .layers import write_layers
from .people import RESIDENTS, Resident, generate_residents
from .staff import DEMO_PASSWORD, DEPARTMENTS, REVENUE, STAFF, WATER
from .totp import demo_totp_give
from .utility_accounts import demo_accounts_loaded, demo_accounts_seed


@dataclass(frozen=True)
class SeedReport:
    loaded: bool  # False: the demo was already there and was reused
    name: str
    wards: int
    departments: int
    staff: int
    residents: int
    categories: int
    cases: int
    seconds: float
    accounts: int = 0  # municipal accounts (utility_accounts.py)


def demo_loaded() -> bool:
    """The demo is loaded when DMO has its wards: the seed commits all or nothing."""
    return Ward.objects.filter(municipality__code=MUNICIPALITY_CODE).count() >= WARD_COUNT


def demo_seed(*, seed: int = DEFAULT_SEED, residents: int = RESIDENTS,
              cases: int = CASES) -> SeedReport:
    """Load the demo once: ``residents`` residents and ``cases`` cases of history."""
    started = time.monotonic()
    loaded = not demo_loaded()
    actor = system_actor("cli")
    if loaded:
        geography = generate_geography(seed)
        with transaction.atomic():
            municipality = _load_geography(actor, geography)
            departments = _create_departments(actor, municipality)
            _create_staff(actor, municipality, departments)
            people = generate_residents(seed, [w.number for w in geography.wards], residents)
            _register_residents(actor, municipality, people)
            demo_accounts_seed(actor=actor, municipality=municipality, seed=seed,
                               residents=people)
            demo_cases_seed(actor=actor, municipality=municipality, seed=seed, count=cases)
    municipality = Municipality.objects.get(code=MUNICIPALITY_CODE)
    if not loaded and not demo_cases_loaded(municipality):
        demo_cases_seed(actor=actor, municipality=municipality, seed=seed, count=cases)
    if not loaded and not demo_accounts_loaded(municipality):  # a demo from before accounts
        people = generate_residents(seed, [w.number for w in generate_geography(seed).wards],
                                    residents)
        with transaction.atomic():
            demo_accounts_seed(actor=actor, municipality=municipality, seed=seed,
                               residents=people)
    demo_community_seed(actor=actor, municipality=municipality, seed=seed)
    return SeedReport(
        loaded=loaded, name=municipality.name,
        wards=Ward.objects.filter(municipality=municipality).count(),
        departments=Department.objects.filter(municipality=municipality).count(),
        staff=get_user_model().objects.filter(username__in=[s.username for s in STAFF]).count(),
        residents=Citizen.objects.filter(municipality=municipality).count(),
        categories=Category.objects.filter(municipality=municipality,
                                           department__isnull=False).count(),
        cases=Case.objects.filter(municipality=municipality).count(),
        seconds=time.monotonic() - started,
        accounts=UtilityAccount.objects.filter(municipality=municipality).count(),
    )


def _load_geography(actor: Actor, geography: DemoGeography) -> Municipality:
    province_ensure(actor=actor, code=PROVINCE_CODE, name=PROVINCE_NAME)
    with tempfile.TemporaryDirectory(prefix="imbizo-demo-") as folder:
        for level, path in write_layers(geography, Path(folder)).items():
            boundaries_import(actor=actor, level=level, path=path, spec=Fields())
    municipality = Municipality.objects.get(code=MUNICIPALITY_CODE)
    ward_suburbs_set(actor=actor, municipality=municipality,
                     suburbs={w.number: w.suburbs for w in geography.wards})
    return municipality


def _create_departments(actor: Actor, municipality: Municipality) -> dict[str, Department]:
    existing = {d.code: d for d in Department.objects.filter(municipality=municipality)}
    for code, name in DEPARTMENTS:
        if code not in existing:
            existing[code] = department_create(actor=actor, municipality=municipality,
                                               code=code, name=name)
    return existing


def _create_staff(actor: Actor, municipality: Municipality,
                  departments: dict[str, Department]) -> None:
    User = get_user_model()
    scopes = {
        "municipality": {"municipality": municipality},
        "department": {"municipality": municipality, "department": departments[WATER]},
        REVENUE: {"municipality": municipality, "department": departments[REVENUE]},
        "ward": {"municipality": municipality,
                 "ward": Ward.objects.get(municipality=municipality, number=1)},
        "platform": {},
    }
    for login in STAFF:
        user = User.objects.filter(username=login.username).first() or staff_user_create(
            actor=actor, username=login.username, password=DEMO_PASSWORD, email=login.email,
            first_name=login.first_name, last_name=login.last_name)
        membership_grant(actor=actor, user=user, role=login.role, **scopes[login.scope])
        demo_totp_give(user=user)  # DEMO ONLY: the published TOTP secret (docs/demo.md)
        if login.role == Role.PLATFORM_ADMIN:
            superuser_grant(actor=actor, user=user)


def _register_residents(actor: Actor, municipality: Municipality,
                        residents: list[Resident]) -> None:
    wards = {w.number: w for w in Ward.objects.filter(municipality=municipality)}
    for resident in residents:
        ward = wards[resident.ward_number]
        citizen = citizen_register(actor=actor, phone=resident.phone, name=resident.name,
                                   id_number=resident.id_number, language=resident.language,
                                   municipality=municipality, ward=ward)
        if citizen.ward_id != ward.pk:
            continue  # someone real already has this number here: leave their consent alone
        for purpose in resident.consents:
            consent_give(actor=actor, citizen=citizen, purpose=purpose)
