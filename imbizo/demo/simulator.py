"""The channel simulator: play a resident's USSD, SMS, WhatsApp or Telegram conversation
against this server's real webhooks, for demos and staff training.

Each step is built in the provider's documented format, signed as the provider signs it,
and posted over HTTP to ``SITE_URL/channels/...``: the same path a real phone's message
takes. USSD answers in the response; the other channels answer through the outbox, whose
messages to the simulated number are shown as the phone would show them (the development
provider delivers them nowhere else). Staff only, and only where ``SIMULATOR_ENABLED``
(the demo): it signs with the server's own secrets.
"""

import uuid
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from imbizo.geo.selectors import municipalities_served, point_in_first_ward
from imbizo.messaging.screens import Screen
from imbizo.messaging.selectors import messages_to_simulated_phone

from . import simulator_payloads as payloads

CHANNELS = {"ussd": "USSD", "sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram"}
DEFAULT_PHONE = "+27825550123"
SHOWN = 12  # the newest exchanges shown


def _state(request) -> dict:
    return request.session.setdefault("simulator", {"log": [], "ussd": {}})


def _post(req: payloads.Request) -> httpx.Response:
    return httpx.post(f"{settings.SITE_URL}/channels/{req.slug}", content=req.body,
                      headers=req.headers, timeout=15)


def _ussd(state: dict, phone: str, action: str, text: str) -> tuple[str, int]:
    ussd = state["ussd"]
    if action == "dial" or not ussd.get("session") or ussd.get("ended"):
        ussd.update(session=f"ATUid_{uuid.uuid4().hex}", text="", ended=False)
        text = None
    if action == "hangup":
        ussd["ended"] = True
        return "", 0
    if text is not None:
        ussd["text"] = f"{ussd['text']}*{text}" if ussd["text"] else text
    response = _post(payloads.ussd_hop(session_id=ussd["session"], phone=phone,
                                       text=ussd["text"]))
    ussd["ended"] = response.text.startswith("END")
    return response.text, response.status_code


def _step(channel: str, phone: str, form) -> payloads.Request | None:
    action, text = form.get("action", "send"), form.get("text", "").strip()
    if action == "location":
        lat, lon = float(form["latitude"]), float(form["longitude"])
        maker = payloads.whatsapp_location if channel == "whatsapp" \
            else payloads.telegram_location
        return maker(phone=phone, latitude=lat, longitude=lon)
    if action == "contact" and channel == "telegram":
        return payloads.telegram_contact(phone=phone)
    if action == "choose":
        key = form.get("key", "")
        if channel == "whatsapp":
            return payloads.whatsapp_choice(phone=phone, key=key, title=form.get("title", key),
                                            button=form.get("button") == "1")
        if channel == "telegram":
            return payloads.telegram_choice(phone=phone, key=key)
        text = key  # SMS: the resident types the option's number
    if not text:
        return None
    return {"sms": payloads.sms_in, "whatsapp": payloads.whatsapp_text,
            "telegram": payloads.telegram_text}[channel](phone=phone, text=text)


def _what_you_did(form) -> str:
    """The step as the phone's owner would see it in their chat."""
    action = form.get("action", "send")
    if action == "location":
        return _("Location: %(lat)s, %(lon)s") % {"lat": form.get("latitude", ""),
                                                  "lon": form.get("longitude", "")}
    if action == "contact":
        return _("Shared my phone number")
    if action == "dial":
        return _("Dialled %(code)s") % {"code": payloads.SERVICE_CODE}
    if action == "hangup":
        return _("Hung up")
    return form.get("text", "").strip() or form.get("title", "")


def _address(channel: str, phone: str) -> str:
    return str(payloads.telegram_user(phone)) if channel == "telegram" else phone


def _replies(state: dict, channel: str, phone: str) -> list[dict]:
    """What the outbox sent to the simulated phone since it was first played, newest last."""
    since = state.setdefault("since", {}).get(f"{channel}:{phone}")
    if since is None:
        return []
    messages = messages_to_simulated_phone(to=_address(channel, phone), channel=channel,
                                           since=parse_datetime(since))[:SHOWN]
    return [{"at": m.created, "who": "imbizo", "text": m.body, "status": m.status,
             "screen": Screen.from_payload(m.payload) if m.payload else None}
            for m in reversed(messages)]


def _demo_point() -> tuple[float, float] | None:
    """A point inside the first municipality served, to share as a location."""
    served = municipalities_served(limit=1)
    return point_in_first_ward(served[0]) if served else None


@staff_member_required
@require_http_methods(["GET", "POST"])
def simulator(request):
    state = _state(request)
    channel = request.POST.get("channel") or request.GET.get("channel") or "ussd"
    channel = channel if channel in CHANNELS else "ussd"
    phone = (request.POST.get("phone") or request.GET.get("phone") or DEFAULT_PHONE).strip()
    if request.method == "POST":
        entry = {"at": timezone.now().isoformat(), "channel": channel, "phone": phone,
                 "who": "you", "text": _what_you_did(request.POST)}
        state.setdefault("since", {}).setdefault(f"{channel}:{phone}", entry["at"])
        if channel == "ussd":
            screen, status = _ussd(state, phone, request.POST.get("action", "send"),
                                   request.POST.get("text", "").strip())
            entry["status"] = status
            state["log"].append(entry)
            if screen:
                state["log"].append({**entry, "who": "imbizo", "text": screen})
        elif (req := _step(channel, phone, request.POST)) is not None:
            entry["status"] = _post(req).status_code
            state["log"].append(entry)
        state["log"] = state["log"][-40:]
        request.session.modified = True
        return redirect(f"{request.path}?{urlencode({'channel': channel, 'phone': phone})}")
    mine = [dict(e, at=parse_datetime(e["at"])) for e in state["log"]
            if e["channel"] == channel and e["phone"] == phone]
    if channel != "ussd":
        mine = [e for e in mine if e["who"] == "you"] + _replies(state, channel, phone)
    mine.sort(key=lambda e: e["at"])
    waiting = channel != "ussd" and bool(mine) and mine[-1]["who"] == "you"
    return render(request, "demo/simulator.html", {
        "channels": CHANNELS, "channel": channel, "phone": phone, "log": mine[-SHOWN:],
        "waiting": waiting, "point": _demo_point(), "ussd_open": bool(state["ussd"].get("session"))
        and not state["ussd"].get("ended"), "service_code": payloads.SERVICE_CODE,
    })
