"""The demo's staff logins: one for every role, listed in docs/demo.md.

The password is published, which is why ``seed-demo`` refuses to run with DEBUG off
unless forced. It passes Django's password validators for every demo user all the
same, so a login form that checks them accepts it.
"""

from dataclasses import dataclass

from imbizo.accounts.models import Role

DEMO_PASSWORD = "imbizo-demo-2021"
WATER = "water"
REVENUE = "revenue"
DEPARTMENTS = (
    (WATER, "Water & Sanitation"),
    ("electricity", "Electricity"),
    ("roads", "Roads & Stormwater"),
    ("waste", "Waste Management"),
    ("fire", "Fire & Emergency Services"),
    (REVENUE, "Revenue & Billing"),
    ("community", "Community Services"),
)


@dataclass(frozen=True)
class StaffLogin:
    username: str
    role: str
    first_name: str
    last_name: str
    # "municipality", "department" (water), "revenue" (its department: the revenue
    # console), "ward" (ward 1) or "platform"
    scope: str

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"


STAFF = (
    StaffLogin("demo-agent", Role.AGENT, "Nomvula", "Mbatha", "municipality"),
    StaffLogin("demo-officer", Role.OFFICER, "Sizwe", "Mgudlwa", "department"),
    StaffLogin("demo-supervisor", Role.SUPERVISOR, "Ronel", "Fourie", "department"),
    StaffLogin("demo-manager", Role.MANAGER, "Luvuyo", "Tshangana", "department"),
    StaffLogin("demo-revenue", Role.MANAGER, "Zanele", "Dlamini", "revenue"),
    StaffLogin("demo-contractor", Role.CONTRACTOR, "Dumisani", "Plaatjie", "municipality"),
    StaffLogin("demo-councillor", Role.COUNCILLOR, "Noluthando", "Gqirana", "ward"),
    StaffLogin("demo-aid-worker", Role.AID_WORKER, "Ahmed", "Essop", "municipality"),
    StaffLogin("demo-admin", Role.MUNICIPAL_ADMIN, "Babalwa", "Jonas", "municipality"),
    StaffLogin("demo-analyst", Role.ANALYST, "Kabelo", "Molefe", "municipality"),
    StaffLogin("demo-platform", Role.PLATFORM_ADMIN, "Thuli", "Maseko", "platform"),
)
