"""The demo's municipal accounts: fictional, generated from the seed, loaded through the
billing import exactly as a billing system's file would be (``accounts_import``).

Every demo resident with an ID number holds an account for their home (a quarter of them
a second one, a property they let), and the rest are shops, churches and trusts with no
ID number: about 300 accounts. Each has six monthly statements (rates, water, refuse,
sewerage, and electricity for some) and the payments that followed. Most pay in full each
month; some pay late and some hardly at all, so their arrears age into the 30 to 120-day
buckets (docs/demo.md, "Accounts"). A few residents are linked to their account already,
through the linking service, so "My account" has something to show at first sign-in.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from random import Random

from django.utils import timezone

from imbizo.accounts.models import Citizen
from imbizo.accounts.permissions import citizen_actor
from imbizo.billing.importer import accounts_import
from imbizo.billing.models import UtilityAccount
from imbizo.billing.services import account_link_verify
from imbizo.billing.sources import Entry
from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality, Ward

from .case_model import STREETS
from .people import Resident

ACCOUNTS = 300
MONTHS = 6
LINKED = 3  # residents linked to their account by the seed
FIRST_NUMBER = 5_000_000_001
HABITS = {"pays": 0.7, "late": 0.15, "owes": 0.15}  # how holders pay their bills
BUSINESSES = ("Spaza", "Traders", "Butchery", "Tavern", "Hardware", "Motor Spares",
              "Salon", "Funeral Services", "Bakery", "Guest House")
OTHERS = ("Methodist Church", "Community Trust", "Burial Society", "Creche",
          "Sports Club", "Zion Christian Church")
ZERO = Decimal("0.00")


@dataclass
class _Holder:
    name: str
    id_number: str
    phone: str
    email: str
    ward: int


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def _months(today: date) -> list[date]:
    """The first days of the ``MONTHS`` months before this one, oldest first."""
    first = today.replace(day=1)
    months = []
    for _n in range(MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _holders(rng: Random, residents: list[Resident], wards: dict[int, list[str]]):
    """The residents with an ID number (a quarter twice), then organisations."""
    people = [r for r in residents if r.id_number]
    holders = [_Holder(r.name, r.id_number, r.phone,
                       f"{r.name.lower().replace(' ', '.')}@example.org"
                       if rng.random() < 0.4 else "", r.ward_number) for r in people]
    numbers = sorted(wards)
    holders += [_Holder(h.name, h.id_number, h.phone, h.email, rng.choice(numbers))
                for h in holders[:] if rng.random() < 0.25]
    while len(holders) < ACCOUNTS:
        ward = rng.choice(numbers)
        place = rng.choice(wards[ward])
        kind = rng.choice(BUSINESSES + OTHERS)
        name = f"{place} {kind}" + (" (Pty) Ltd" if kind in BUSINESSES else "")
        email = f"accounts{len(holders)}@example.org" if rng.random() < 0.5 else ""
        holders.append(_Holder(name, "", "", email, ward))
    return holders[:ACCOUNTS]


def _lines(rng: Random, business: bool, electricity: bool) -> list[tuple[str, str, Decimal]]:
    """One month's charges: (description, service, amount)."""
    kl = rng.randint(6, 40 if business else 25)
    lines = [("Property rates", "rates", _money(rng.uniform(120, 1400 if business else 650))),
             (f"Water {kl} kl", "water", _money(kl * 27.45)),
             ("Refuse removal", "refuse", _money(420 if business else 185)),
             ("Sewerage", "sewerage", _money(rng.choice((95, 120, 160))))]
    if electricity:
        kwh = rng.randint(150, 900)
        lines.append((f"Electricity {kwh} kWh", "electricity", _money(kwh * 2.93)))
    return lines


def _row(rng: Random, n: int, holder: _Holder, suburbs: list[str], months: list[date]) -> dict:
    """One account as the billing system sends it, its statements and payments simulated
    month by month: payments settle the oldest charges first, what is left ages."""
    habit = rng.choices(list(HABITS), list(HABITS.values()))[0]
    business, electricity = not holder.id_number, rng.random() < 0.4
    owed: list[tuple[int, Decimal]] = []  # (month index, unpaid amount), oldest first
    if habit == "owes":
        owed.append((-12, _money(rng.uniform(800, 15000))))
    statements, transactions, balance = [], [], sum((a for _m, a in owed), ZERO)
    for index, period in enumerate(months):
        if index and (habit == "pays" or rng.random() < (0.55 if habit == "late" else 0.2)):
            due = statements[-1]["total_due"]
            paid = Decimal(due) if habit == "pays" else _money(float(due) * rng.uniform(.2, .9))
            if paid > 0:
                transactions.append({"reference": f"PAY-{n}-{index}", "kind": "payment",
                                     "date": str(period + timedelta(days=rng.randint(3, 14))),
                                     "amount": str(-paid)})
                balance -= paid
                owed = _settle(owed, paid)
        lines = _lines(rng, business, electricity)
        charged = sum((amount for _d, _s, amount in lines), ZERO)
        opening, balance = balance, balance + charged
        owed.append((index, charged))
        statements.append({
            "period": f"{period:%Y-%m}", "issued": str(period + timedelta(days=24)),
            "due_date": str(_next_month(period) + timedelta(days=14)),
            "opening_balance": str(opening), "closing_balance": str(balance),
            "total_due": str(balance),
            "lines": [{"line": i, "description": d, "service": s, "amount": str(a)}
                      for i, (d, s, a) in enumerate(lines, start=1)]})
    street = rng.choice(STREETS)
    return {
        "account_number": str(FIRST_NUMBER + n), "holder_name": holder.name,
        "holder_id_number": holder.id_number,
        "property": f"Erf {rng.randint(100, 9999)}, {rng.randint(1, 250)} {street}, "
                    f"{rng.choice(suburbs)}",
        "ward": str(holder.ward), "services": ["rates", "water", "refuse", "sewerage"]
        + (["electricity"] if electricity else []),
        "balance": str(balance), "arrears": _aged(owed, len(months) - 1),
        "due_date": statements[-1]["due_date"], "phone": holder.phone, "email": holder.email,
        "statements": statements, "transactions": transactions}


def _settle(owed: list[tuple[int, Decimal]], paid: Decimal) -> list[tuple[int, Decimal]]:
    left = []
    for month, amount in owed:
        taken = min(amount, paid)
        paid -= taken
        if amount - taken > 0:
            left.append((month, amount - taken))
    return left


def _aged(owed: list[tuple[int, Decimal]], latest: int) -> dict[str, str]:
    buckets = dict.fromkeys(("current", "30", "60", "90", "120"), ZERO)
    for month, amount in owed:
        age = latest - month
        key = ("current", "30", "60", "90")[age] if age < 4 else "120"
        buckets[key] += amount
    return {bucket: str(amount) for bucket, amount in buckets.items()}


def generate_accounts(seed: int, residents: list[Resident], suburbs: dict[int, list[str]],
                      today: date) -> list[dict]:
    """The demo's accounts as import rows (pure: nothing read or written)."""
    rng = Random(f"{seed}:accounts")
    months = _months(today)
    holders = _holders(rng, residents, suburbs)
    return [_row(rng, n, holder, suburbs[holder.ward], months)
            for n, holder in enumerate(holders)]


def demo_accounts_loaded(municipality: Municipality) -> bool:
    return UtilityAccount.objects.filter(municipality=municipality).exists()


def demo_accounts_seed(*, actor: Actor, municipality: Municipality, seed: int,
                       residents: list[Resident]) -> int:
    """Load the accounts once, and link the first few residents to their own; the number
    of accounts loaded (0 when DMO has accounts already)."""
    if demo_accounts_loaded(municipality):
        return 0
    suburbs = {w.number: (w.suburbs.splitlines() or [f"Ward {w.number}"])
               for w in Ward.objects.filter(municipality=municipality).only("number", "suburbs")}
    rows = generate_accounts(seed, residents, suburbs, timezone.localdate())
    result = accounts_import(actor=actor, municipality=municipality, source="demo",
                             entries=[Entry("account", f"demo {n}", row)
                                      for n, row in enumerate(rows, start=1)])
    _link_some(municipality, rows)
    return result.accounts.created


def _link_some(municipality: Municipality, rows: list[dict]) -> None:
    """The holders of the first accounts, proving control with their ID number as any
    resident would (audited, with their consent to the billing purpose)."""
    people = {c.phone: c for c in Citizen.objects.filter(
        phone__in=[r["phone"] for r in rows[:LINKED]])}
    for row in rows[:LINKED]:
        citizen = people.get(row["phone"])
        if citizen is not None:
            account_link_verify(actor=citizen_actor(citizen, channel="cli"),
                                municipality=municipality, account_number=row["account_number"],
                                method="id_number", proof=row["holder_id_number"])
