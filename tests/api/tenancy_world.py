"""The world the tenancy matrix runs in, and every kind of caller.

Two municipalities, AAA and BBB (the geography of ``two_municipalities`` in
tests/conftest.py), each with two departments, a public and a non-public category, a
category made non-public after a case was logged under it, a resident, cases public and
not, a contractor with a work order, and photos. The resident of AAA also reported a
fault in BBB, so a read that follows a resident across municipalities shows up.

Callers: anonymous; an API key of every role a key can hold, in AAA and in BBB; a
signed-in staff member of every membership role in AAA (officer and supervisor narrowed
to the roads department, the councillor to ward 1, as the roles are used); a platform
administrator; and a manager-administrator of BBB.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image

from imbizo.accounts.models import Citizen, Role
from imbizo.accounts.permissions import citizen_actor, staff_actor
from imbizo.accounts.services import (
    citizen_register,
    department_create,
    membership_grant,
    staff_user_create,
)
from imbizo.api.keys import api_key_actor, api_key_create
from imbizo.billing.importer import accounts_import
from imbizo.billing.models import UtilityAccount
from imbizo.billing.sources import Entry
from imbizo.cases.attachments import attachment_add
from imbizo.cases.catalogue import category_create
from imbizo.cases.lifecycle import case_close, case_resolve, case_start
from imbizo.cases.models import Case, Category
from imbizo.cases.services import Contact, Location, case_log
from imbizo.cases.workorders import workorder_issue, workorder_note
from imbizo.conversations.handover import handover_request
from imbizo.conversations.sessions import session_current
from imbizo.core.permissions import system_actor
from imbizo.geo.models import Municipality, Ward
from imbizo.notifications.links import feedback_token
from tests.conftest import feature, import_layer, square

AAA, BBB = "AAA", "BBB"
# Every role a key can hold (api_key_create refuses the two administrator roles).
KEY_ROLES = [r for r in Role.values if r not in (Role.PLATFORM_ADMIN, Role.MUNICIPAL_ADMIN)]
STAFF_ROLES = [Role.AGENT, Role.OFFICER, Role.SUPERVISOR, Role.MANAGER, Role.CONTRACTOR,
               Role.COUNCILLOR, Role.ANALYST, Role.MUNICIPAL_ADMIN, Role.AID_WORKER]
NARROWED_TO_DEPARTMENT = {Role.OFFICER, Role.SUPERVISOR}

# The roles as the product defines them (docs/architecture.md, "Tenancy and
# permissions"): written out here, not read from the code under test.
VIEWS_CASES = {Role.AGENT, Role.OFFICER, Role.SUPERVISOR, Role.MANAGER, Role.COUNCILLOR,
               Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN}
VIEWS_RESIDENTS = VIEWS_CASES  # the same roles hold citizen.view
LOGS_CASES = {Role.AGENT, Role.OFFICER, Role.SUPERVISOR, Role.MANAGER}
WORKS_CASES = {Role.OFFICER, Role.SUPERVISOR, Role.MANAGER}
READS_ANALYTICS = {Role.MANAGER, Role.ANALYST, Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN}
EXPORTS_RESIDENTS = {Role.AGENT, Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN}  # citizen.change
ERASES_RESIDENTS = {Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN}
VIEWS_BILLING = {Role.AGENT, Role.MANAGER, Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN}
IMPORTS_BILLING = {Role.MANAGER, Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN}


@dataclass(frozen=True)
class Caller:
    name: str
    kind: str  # "anonymous", "key" or "staff"
    municipality: str | None = None
    roles: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name

    @property
    def is_platform(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    def holds(self, roles: set[str], municipality: str = AAA) -> bool:
        """Holds one of ``roles`` in ``municipality`` (a platform administrator: anywhere)."""
        if self.is_platform:
            return bool(roles & {Role.PLATFORM_ADMIN})
        return self.municipality == municipality and bool(roles & set(self.roles))

    @property
    def narrowed_to_department(self) -> bool:
        return self.kind == "staff" and bool(set(self.roles) & NARROWED_TO_DEPARTMENT)


CALLERS: list[Caller] = [
    Caller("anonymous", "anonymous"),
    *[Caller(f"key-{m}-{r}", "key", m, (r,)) for m in (AAA, BBB) for r in KEY_ROLES],
    *[Caller(f"staff-{AAA}-{r}", "staff", AAA, (r,)) for r in STAFF_ROLES],
    Caller("staff-platform_admin", "staff", None, (Role.PLATFORM_ADMIN,)),
    Caller(f"staff-{BBB}-manager+admin", "staff", BBB, (Role.MANAGER, Role.MUNICIPAL_ADMIN)),
]


@dataclass
class Place:
    """One municipality's part of the world."""

    municipality: Municipality
    resident: Citizen  # reported every case here
    neighbour: Citizen  # reported nothing; may join a case ("me too")
    public: Case  # public case of a public category: on the public register
    private: Case  # the reporter asked for it not to be listed (logged by a key, with contact)
    hidden: Case  # of a non-public category
    flipped: Case  # logged public; its category was made non-public afterwards
    second: Case  # another public pothole near ``public`` (for merges)
    resolved: Case  # public, resolved: its reporter may confirm or reopen it
    closed: Case  # public, closed: its reporter may rate it
    contractor: object  # the user
    work_order: object  # on ``public``, to ``contractor``
    note: object  # the contractor's note on it, with a photo
    photo: object  # an attachment of ``public``
    private_photo: object  # an attachment of ``private``
    feedback_token: str  # the reporter's link to their resolved case's feedback page
    handover: object  # the resident asked on WhatsApp to talk to a person
    account_number: str  # the resident's utility account, with a statement for 2026-06
    others: list[Case] = field(default_factory=list)  # other cases placed here

    @property
    def account_key(self) -> str:
        """The utility account's uuid, which names it in the revenue console."""
        return str(UtilityAccount.objects.get(municipality=self.municipality,
                                              account_number=self.account_number).uuid)

    @property
    def cases(self) -> list[Case]:
        return [self.public, self.private, self.hidden, self.flipped, self.second,
                self.resolved, self.closed, *self.others]

    @property
    def nonpublic_cases(self) -> list[Case]:
        return [self.private, self.hidden, self.flipped]


@dataclass
class World:
    places: dict[str, Place]
    keys: dict[str, str]  # caller name -> key
    sessions: dict[str, str]  # caller name -> session id
    personal: dict[str, set[str]]  # municipality -> residents' personal data as text

    @property
    def A(self) -> Place:  # noqa: N802 - read as "the case's own municipality"
        return self.places[AAA]

    @property
    def B(self) -> Place:  # noqa: N802 - "the other municipality"
        return self.places[BBB]

    def identifiers(self, municipality: str, *, nonpublic_only: bool = False) -> set[str]:
        """What names a record of ``municipality`` in an answer: references and uuids."""
        place = self.places[municipality]
        cases = place.nonpublic_cases if nonpublic_only else place.cases
        found = {c.reference for c in cases} | {str(c.uuid) for c in cases}
        found.add(place.account_number)  # never public
        if not nonpublic_only:
            found |= {str(place.photo.uuid), str(place.private_photo.uuid),
                      str(place.resident.uuid)}
        else:
            found.add(str(place.private_photo.uuid))
        return found

    def client(self, caller: Caller) -> Client:
        client = Client()
        if caller.name in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[caller.name]
        return client


def photo_bytes(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _geography(tmp_path) -> tuple[Municipality, Municipality]:
    """The geography of tests/conftest.py's ``two_municipalities``."""
    import_layer(tmp_path, "province", [feature(square(20.0, -30.0, 0.4), Code="XP",
                                                Name="Example Province")])
    import_layer(tmp_path, "district", [feature(square(20.0, -30.0, 0.4), Code="DC90",
                                                Name="Example District", Parent_cod="XP")])
    import_layer(tmp_path, "municipality", [
        feature(square(20.0, -30.0, 0.2), Code=AAA, Name="Aaa Local", Parent_cod="DC90"),
        feature(square(20.2, -30.0, 0.2), Code=BBB, Name="Bbb Local", Parent_cod="DC90"),
    ])
    import_layer(tmp_path, "ward", [
        feature(square(20.0, -30.0), Code="90100001", Parent_cod=AAA),
        feature(square(20.1, -30.0), Code="90100002", Parent_cod=AAA),
        feature(square(20.2, -30.0), Code="90200001", Parent_cod=BBB),
        feature(square(20.3, -30.0), Code="90200002", Parent_cod=BBB),
    ])
    return Municipality.objects.get(code=AAA), Municipality.objects.get(code=BBB)


# Where each municipality's cases are: inside its ward 1.
CENTRE = {AAA: (-29.95, 20.05), BBB: (-29.95, 20.25)}
RESIDENTS = {AAA: ("0821110001", "Thandiwe Khumalo"), BBB: ("0821110002", "Sipho Dlamini")}
NEIGHBOURS = {AAA: ("0821110003", "Ayanda Nel"), BBB: ("0821110004", "Pieter Botha")}
CONTACTS = {AAA: Contact("Lindiwe Mokoena", "0831230001", "lindiwe.mokoena@example.org"),
            BBB: Contact("Bongani Zulu", "0831230002", "bongani.zulu@example.org")}
METRE = 1 / 111_320  # of latitude


def _staff(username: str, *grants: dict):
    system = system_actor("cli")
    user = staff_user_create(actor=system, username=username, password="a-long-test-password",
                             first_name=username.title())
    for grant in grants:
        membership_grant(actor=system, user=user, **grant)
    return user


def _grants(caller: Caller, municipality: Municipality | None, roads, ward1) -> list[dict]:
    grants = []
    for role in caller.roles:
        grant: dict = {"role": role}
        if role != Role.PLATFORM_ADMIN:
            grant["municipality"] = municipality
        if role in NARROWED_TO_DEPARTMENT:
            grant["department"] = roads
        if role == Role.COUNCILLOR:
            grant["ward"] = ward1
        grants.append(grant)
    return grants


def _place(municipality: Municipality, roads, ward1, contractor) -> Place:
    system = system_actor("cli")
    code = municipality.code
    for cat, public in (("pothole", True), ("illegal-connection", False), ("graffiti", True)):
        category_create(actor=system, municipality=municipality, code=cat,
                        name=cat.replace("-", " ").title(), department=roads, public=public,
                        duplicate_radius_m=200)
    phone, name = RESIDENTS[code]
    resident = citizen_register(actor=system_actor("ussd"), phone=phone, name=name,
                                municipality=municipality, ward=ward1)
    neighbour = citizen_register(actor=system_actor("ussd"), phone=NEIGHBOURS[code][0],
                                 name=NEIGHBOURS[code][1], municipality=municipality,
                                 ward=ward1)
    as_resident = citizen_actor(resident, channel="ussd")
    key = api_key_actor(api_key_create(actor=system, municipality=municipality,
                                       name=f"{code} call centre", role=Role.AGENT)[1])
    lat, lon = CENTRE[code]

    def log(category: str, actor=as_resident, metres: float = 0, **kwargs) -> Case:
        return case_log(actor=actor, category=category,
                        description=kwargs.pop("description", f"{category} in {code}"),
                        location=Location(lat + metres * METRE, lon), **kwargs)

    public = log("pothole", description=f"Deep pothole outside the {code} clinic")
    private = log("pothole", actor=key, metres=10, public=False, contact=CONTACTS[code],
                  description=f"Pothole by the {code} shelter, please keep this private")
    hidden = log("illegal-connection", metres=20)
    flipped = log("graffiti", metres=30)
    second = log("pothole", metres=40)
    resolved, closed = log("pothole", metres=50), log("pothole", metres=60)
    for case in (resolved, closed):
        case_start(actor=system, case=case)
        case_resolve(actor=system, case=case, note="Filled")
    closed = case_close(actor=system, case=closed)
    # The administrator makes graffiti reports non-public after one was listed.
    Category.objects.filter(municipality=municipality, code="graffiti").update(public=False)
    order = workorder_issue(actor=system, case=public, contractor_id=contractor.pk,
                            scope="Fill the pothole", due=timezone.localdate() + timedelta(7))
    note = workorder_note(actor=staff_actor(contractor), order=order, text="Cones placed",
                          photo=photo_bytes("yellow"))
    photo = attachment_add(actor=system, case=public, data=photo_bytes("red"))
    private_photo = attachment_add(actor=system, case=private, data=photo_bytes("blue"))
    session = session_current("whatsapp", resident.phone)
    session.citizen = resident
    handover = handover_request(session=session, municipality=municipality)
    return Place(municipality, resident, neighbour, public, private, hidden, flipped, second,
                 resolved, closed, contractor, order, note, photo, private_photo,
                 feedback_token(resolved, resident), handover, _utility_account(place=code))


ACCOUNTS = {AAA: "7100000001", BBB: "7200000002"}


def _utility_account(*, place: str) -> str:
    """The resident's municipal account, as the billing system sends it."""
    phone, name = RESIDENTS[place]
    accounts_import(actor=system_actor("cli"), source="world",
                    municipality=Municipality.objects.get(code=place),
                    entries=[Entry("account", "world", {
                        "account_number": ACCOUNTS[place], "holder_name": name,
                        "phone": phone, "ward": "1", "balance": "1520.35",
                        "statements": [{"period": "2026-06", "total_due": "1520.35",
                                        "lines": [{"description": "Property rates",
                                                   "amount": "1520.35"}]}]})])
    return ACCOUNTS[place]


def _personal(place: Place) -> set[str]:
    """The residents' personal data as it could appear in an answer."""
    contact = Case.objects.get(pk=place.private.pk)
    found = {place.resident.name, place.neighbour.name, contact.contact_name,
             contact.contact_email}
    for phone in (place.resident.phone, place.neighbour.phone, contact.contact_phone):
        found |= {phone, "0" + phone[3:]} if phone.startswith("+27") else {phone}
    return {s for s in found if s}


def world_build(tmp_path, login) -> World:
    """Build everything through the services; ``login(user)`` answers a session id."""
    system = system_actor("cli")
    municipalities = dict(zip((AAA, BBB), _geography(tmp_path), strict=True))
    roads, ward1 = {}, {}
    for code, municipality in municipalities.items():
        roads[code] = department_create(actor=system, municipality=municipality,
                                        code="roads", name="Roads")
        department_create(actor=system, municipality=municipality, code="water", name="Water")
        ward1[code] = Ward.objects.get(municipality=municipality, number=1)
    users = {c.name: _staff(c.name, *_grants(c, municipalities.get(c.municipality),
                                               roads[AAA], ward1[AAA]))
             for c in CALLERS if c.kind == "staff"}
    contractors = {AAA: users[f"staff-{AAA}-contractor"],
                   BBB: _staff("bbb-contractor", {"role": Role.CONTRACTOR,
                                                  "municipality": municipalities[BBB]})}
    places = {code: _place(m, roads[code], ward1[code], contractors[code])
              for code, m in municipalities.items()}
    # The resident of AAA also reported a fault where they work, in BBB.
    lat, lon = CENTRE[BBB]
    places[BBB].others.append(case_log(
        actor=citizen_actor(places[AAA].resident, channel="sms"), category="pothole",
        description="Pothole near my work", location=Location(lat - 50 * METRE, lon)))
    keys = {c.name: api_key_create(actor=system, municipality=municipalities[c.municipality],
                                   name=c.name, role=c.roles[0])[1]
            for c in CALLERS if c.kind == "key"}
    sessions = {name: login(user) for name, user in users.items()}
    return World(places, keys, sessions, {code: _personal(p) for code, p in places.items()})
