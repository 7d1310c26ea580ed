"""Screenshots of the main pages into docs/screenshots/ (``make screenshots``).

Serves a fresh demo database (the generated municipality DMO, in a temporary directory)
with ``imbizo serve`` as ``make demo`` does, then photographs each page in SHOTS with
Debian's Chromium through Playwright. A page is one line in SHOTS, naming who looks at
it: a visitor; ``admin`` (the demo's municipal administrator, through the admin's login);
``resident`` (a new resident signed in with the PIN the outbox holds, as the simulator
shows it); or a demo staff login signed in to the console with its password and the
code ``imbizo demo-totp`` prints (docs/demo.md). Each one signs in once, in their own
browser context, and keeps it for their shots in the order of SHOTS.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
IMBIZO = [sys.executable, "-m", "imbizo.cli"]
CHROMIUM = os.environ.get("IMBIZO_CHROMIUM", "/usr/bin/chromium")
STAFF_USER, STAFF_PASSWORD = "demo-admin", "imbizo-demo-2021"  # imbizo/demo/staff.py
RESIDENT_PHONE, RESIDENT_E164 = "082 555 0199", "+27825550199"  # new to the demo
PHONE = {"width": 390, "height": 844}  # a common phone, for the citizen pages
DESKTOP = {"width": 1280, "height": 800}  # for the staff pages


def dial_ussd(page: Page) -> None:
    """Play the first USSD screen so the simulator shows a conversation."""
    page.get_by_role("button", name="Dial").click()
    page.wait_for_load_state("networkidle")


def report_step_one(page: Page) -> None:
    """Choose what and where, and go on to step 2."""
    page.get_by_label("What is wrong?").select_option("pothole")
    page.get_by_label("Ward").select_option("1")
    page.get_by_label("Suburb, street or landmark").fill("Main Road, near the clinic")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/report/details?*")


def report_and_track(page: Page) -> None:
    """Report a fault (both steps) and open its tracking page."""
    report_step_one(page)
    page.get_by_label("Describe the problem").fill(
        "A deep pothole in the left lane; cars swerve into the oncoming traffic.")
    page.get_by_role("button", name="Send my report").click()
    page.wait_for_url("**/report/done*")
    page.get_by_role("link", name="Track it").click()
    page.wait_for_load_state("networkidle")


def chat_hello(page: Page) -> None:
    """Say hello: the bot answers with its menu."""
    page.get_by_label("Your message").fill("Hi")
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator("#chat-live li.reply").first.wait_for()
    page.wait_for_load_state("networkidle")


def open_first_case(page: Page) -> None:
    page.locator("table.queue tbody a").first.click()
    page.wait_for_load_state("networkidle")


@dataclass(frozen=True)
class Shot:
    name: str  # docs/screenshots/<name>.png
    path: str
    staff: bool = False  # as the demo's administrator, signed in through the admin
    viewport: dict = None  # PHONE unless given
    then: object = None  # a function of the page, run before the picture is taken
    full: bool = True  # the whole page, not only what the window shows
    who: str = ""  # "resident", or a demo login for the console ("" a visitor)

    @property
    def identity(self) -> str:
        return "admin" if self.staff else self.who


SHOTS = [
    Shot("home", "/"),
    Shot("report", "/report", who="resident"),
    Shot("report-details", "/report", who="resident", then=report_step_one),
    Shot("track", "/report", who="resident", then=report_and_track),
    Shot("my-cases", "/my", who="resident"),
    Shot("chat", "/chat", who="resident", then=chat_hello),
    Shot("console-queue", "/console/", who="demo-officer", viewport=DESKTOP, full=False),
    Shot("console-case", "/console/", who="demo-officer", viewport=DESKTOP,
         then=open_first_case),
    Shot("console-inbox", "/console/inbox", who="demo-agent", viewport=DESKTOP),
    Shot("console-work", "/console/work", who="demo-contractor", viewport=DESKTOP),
    Shot("admin-login", "/admin/login/", viewport=DESKTOP),
    Shot("simulator", "/simulator/?channel=ussd", staff=True, then=dial_ussd),
    Shot("api-docs", "/api/v1/docs", viewport=DESKTOP, full=False),
]

# Run in the demo's database before the pictures (``imbizo shell``): a work order for
# the demo contractor, and a WhatsApp resident waiting in the agents' inbox, each made
# through the services as the console and the webhook would make them.
PREPARE = """
from datetime import date, timedelta
from django.contrib.auth import get_user_model
from imbizo.accounts.models import Citizen
from imbizo.accounts.permissions import staff_actor
from imbizo.cases.models import Case
from imbizo.cases.workorders import workorder_issue
from imbizo.conversations.services import inbound_handle
from imbizo.messaging.inbound import Incoming
from imbizo.messaging.models import OutboundMessage
from imbizo.messaging.plugins import plugin_for
from imbizo.messaging.screens import Screen
from imbizo.messaging.services import inbound_record

users = get_user_model().objects
officer = staff_actor(users.get(username="demo-officer"))
open_ = ["assigned", "in_progress", "on_hold", "reopened"]
case = Case.objects.filter(department__code="water", status__in=open_).latest("created")
workorder_issue(actor=officer, case=case,
                scope="Find the cause and repair it; photos before and after",
                contractor_id=users.get(username="demo-contractor").pk,
                due=date.today() + timedelta(days=2))

resident = Citizen.objects.filter(language="en", municipality__code="DMO").order_by("pk")[0]
whatsapp = plugin_for("whatsapp")

def say(n, text, kind="text"):
    inbound_handle(inbound_id=inbound_record(Incoming(
        provider=whatsapp.name, channel=whatsapp.channel, message_id=f"screenshots-{n}",
        sender=resident.phone, kind=kind, text=text)))

say(1, "Hi")
menu = Screen.from_payload(OutboundMessage.objects.filter(to=resident.phone)
                           .latest("pk").payload)
say(2, next(c.key for c in menu.choices if c.label.startswith("Talk")), "choice")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_env(var_dir: str, port: int) -> dict:
    return {**os.environ, "IMBIZO_VAR_DIR": var_dir, "DEBUG": "true",
            "SIMULATOR_ENABLED": "true", "SITE_URL": f"http://127.0.0.1:{port}",
            "WHATSAPP_VERIFY_TOKEN": "imbizo-demo", "WHATSAPP_APP_SECRET": "imbizo-demo",
            "TELEGRAM_SECRET_TOKEN": "imbizo-demo", "WEB_WORKERS": "1",
            "DATABASE_URL": f"sqlite:///{var_dir}/imbizo.sqlite3"}


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode})")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def imbizo(env: dict, *args: str) -> str:
    """Run an ``imbizo`` command against the demo's database; what it printed."""
    return subprocess.run([*IMBIZO, *args], env=env, check=True, capture_output=True,
                          text=True).stdout


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill(STAFF_USER)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def resident_sign_in(page: Page, base: str, env: dict) -> None:
    """A phone number new to the demo, and the PIN the outbox holds for it."""
    page.goto(f"{base}/signin")
    page.get_by_label("Your phone number").fill(RESIDENT_PHONE)
    page.get_by_role("button", name="Send me a code").click()
    page.wait_for_url("**/signin/code")
    body = imbizo(env, "shell", "-c", (
        "from imbizo.messaging.models import OutboundMessage as M; "
        f"print(M.objects.filter(to='{RESIDENT_E164}').latest('pk').body)"))
    page.get_by_label("The 6-digit code").fill(re.search(r"\b(\d{6})\b", body).group(1))
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/my")


def console_sign_in(page: Page, base: str, env: dict, username: str) -> None:
    """Password, then the code the demo's published TOTP secret gives now."""
    page.goto(f"{base}/console/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/console/verify")
    code = imbizo(env, "demo-totp", username).strip()
    page.get_by_label("6-digit code from your authenticator app").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/console/verify" not in url)


def photograph(base: str, env: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox"])
        pages: dict[str, Page] = {}  # one signed-in browser context for each person
        for shot in SHOTS:
            page = pages.get(shot.identity)
            if page is None or not shot.identity:
                page = browser.new_context(locale="en-ZA").new_page()
                if shot.identity:
                    pages[shot.identity] = page
                if shot.identity == "admin":
                    sign_in(page, base)
                elif shot.identity == "resident":
                    resident_sign_in(page, base, env)
                elif shot.identity:
                    console_sign_in(page, base, env, shot.identity)
            page.set_viewport_size(shot.viewport or PHONE)
            page.goto(base + shot.path, wait_until="networkidle")
            if shot.then:
                shot.then(page)
            page.screenshot(path=OUT / f"{shot.name}.png", full_page=shot.full)
            print(f"docs/screenshots/{shot.name}.png  {shot.path}")
            if not shot.identity:
                page.context.close()
        browser.close()


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="imbizo-screenshots-") as var_dir:
        env = demo_env(var_dir, port)
        subprocess.run([*IMBIZO, "migrate", "--verbosity", "0"], env=env, check=True)
        subprocess.run([*IMBIZO, "seed_demo", "--cases", "3000"], env=env, check=True)
        imbizo(env, "shell", "-c", PREPARE)
        server = subprocess.Popen([*IMBIZO, "serve", "--no-worker", "--port", str(port)],
                                  env=env, cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/", server)
            photograph(base, env)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
