"""Shared test helpers: small real geographies built through the import service."""

import io
import json
import logging
import signal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from imbizo.accounts.models import Department
from imbizo.accounts.permissions import citizen_actor, staff_actor
from imbizo.accounts.services import (
    citizen_register,
    department_create,
    membership_grant,
    staff_user_create,
)
from imbizo.cases.catalogue import categories_install_standard
from imbizo.cases.services import Location, case_log
from imbizo.core.permissions import system_actor
from imbizo.geo.index import ward_index
from imbizo.geo.models import Municipality
from imbizo.geo.services import Fields, boundaries_import

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ZA_2020 = SHARED_DATA / "boundaries" / "za-2020"

TEST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def square(x: float, y: float, size: float = 0.1) -> dict:
    return {"type": "Polygon", "coordinates": [[
        [x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}


def feature(geometry: dict | None, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def write_geojson(path: Path, features: list[dict], **extra) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}))
    return path


def import_layer(tmp_path: Path, level: str, features: list[dict], **spec) -> object:
    path = write_geojson(tmp_path / f"{level}.geojson", features)
    return boundaries_import(actor=system_actor("cli"), level=level, path=path,
                             spec=Fields(**spec) if spec else None)


@pytest.fixture(autouse=True)
def config_checked_every_time(settings):
    """Tests change configuration and use it at once; a server trusts its memo for a
    second (CONFIG_CHECK_SECONDS). tests/core/test_config_cache.py tests the waiting."""
    settings.CONFIG_CHECK_SECONDS = 0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Django's PBKDF2 (a million rounds) costs about half a second a password, and
    fixtures create several staff users a test; tests hash with MD5, which is never
    configured outside them. Hashing itself is Django's and is not under test here."""
    settings.PASSWORD_HASHERS = TEST_HASHERS


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A transaction open for a whole module, rolled back after its last test: what a
    module-scoped fixture writes in it (a demo that takes seconds to load) each of the
    module's tests sees, in a savepoint of its own rolled back as usual. A test that
    needs an empty database belongs in another module. Passwords hashed as in every test
    (fast_password_hashing)."""
    with override_settings(PASSWORD_HASHERS=TEST_HASHERS), django_db_blocker.unblock(), \
            transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True, scope="session")
def urls_loaded():
    """The URLconf loaded before any test freezes time: the API's schemas (pydantic)
    cannot be built from freezegun's stand-in datetime."""
    reverse("home")


@pytest.fixture(autouse=True)
def language_reset():
    """A page asked for in another language leaves it active in the thread (Django's
    LocaleMiddleware does not put it back); the next test starts in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_ward_index():
    """Each test sees the boundaries of its own database, not a previous test's."""
    ward_index.invalidate()
    yield
    ward_index.invalidate()


@pytest.fixture
def two_municipalities(db, tmp_path, django_capture_on_commit_callbacks):
    """Province XP with two local municipalities (AAA and BBB) of two wards each.

    AAA covers lon 20.0-20.2, BBB lon 20.2-20.4, both lat -30.0 to -29.9.
    """
    with django_capture_on_commit_callbacks(execute=True):
        import_layer(tmp_path, "province", [feature(square(20.0, -30.0, 0.4), Code="XP",
                                                    Name="Example Province")])
        import_layer(tmp_path, "district", [feature(square(20.0, -30.0, 0.4), Code="DC90",
                                                    Name="Example District", Parent_cod="XP")])
        import_layer(tmp_path, "municipality", [
            feature(square(20.0, -30.0, 0.2), Code="AAA", Name="Aaa Local", Parent_cod="DC90"),
            feature(square(20.2, -30.0, 0.2), Code="BBB", Name="Bbb Local", Parent_cod="DC90"),
        ])
        import_layer(tmp_path, "ward", [
            feature(square(20.0, -30.0), Code="90100001", Parent_cod="AAA"),
            feature(square(20.1, -30.0), Code="90100002", Parent_cod="AAA"),
            feature(square(20.2, -30.0), Code="90200001", Parent_cod="BBB"),
            feature(square(20.3, -30.0), Code="90200002", Parent_cod="BBB"),
        ])
    return Municipality.objects.get(code="AAA"), Municipality.objects.get(code="BBB")


@pytest.fixture
def run_worker(transactional_db, django_capture_on_commit_callbacks):
    """Run every due task on the database queue with the real ``db_worker``, then stop.

    The worker closes connections it finds inside a transaction, as it must in
    production, so a test that runs it commits for real (``transactional_db``). The
    command installs its own signal handlers and log levels; they are put back so that
    Ctrl-C still stops pytest.
    """
    def run(verbosity: int = 0) -> None:
        signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
        saved = {sig: signal.getsignal(sig) for sig in signals}
        loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
        levels = [lg.level for lg in loggers]
        try:
            with django_capture_on_commit_callbacks(execute=True):
                call_command("db_worker", batch=True, startup_delay=False, reload=False,
                             verbosity=verbosity, stdout=io.StringIO())
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)
            for lg, level in zip(loggers, levels, strict=True):
                lg.setLevel(level)
    return run


@pytest.fixture
def make_staff(db):
    """A staff user holding the given memberships, and the actor for them."""
    counter = iter(range(1, 10_000))

    def make(*memberships: dict):
        system = system_actor("cli")
        user = staff_user_create(actor=system, username=f"staff{next(counter)}",
                                 password="a-long-test-password")
        for spec in memberships:
            membership_grant(actor=system, user=user, **spec)
        return staff_actor(user)

    return make


# --- cases: two municipalities with departments and the standard categories ---
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
