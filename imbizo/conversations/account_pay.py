"""Paying an account from "My account" (flows/account.yaml): the amount the resident
types becomes a payment through billing's ``payment_start``, as on the site, and they are
given the address of its checkout page (``/pay/<municipality>/<number>?payment=<uuid>``,
which asks them to sign in, then sends them to the provider's secure page). A feature phone
opens no address, so on USSD the address goes by SMS to the number dialling. The receipt
follows when the provider confirms the payment (notifications/payments.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from imbizo.billing.money import rands
from imbizo.billing.payments import payment_start
from imbizo.messaging.services import message_queue

from .account_actions import NO_LINKS, _account
from .account_texts import ACCOUNT_TEXTS
from .registry import action

if TYPE_CHECKING:
    from .turn import Turn

THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")  # "1,520.35": a comma before three digits


def amount_typed(text: str) -> str:
    """The amount as residents type it ("R1,520.35", "r 250", "250,50"), as billing reads
    amounts: the rand sign and spaces ignored, commas between thousands dropped when a
    point follows, a lone comma read as the point. billing checks the rest (cents, limits)."""
    text = "".join(text.split()).removeprefix("R").removeprefix("r")
    if "." in text:
        return THOUSANDS.sub("", text)
    return text.replace(",", ".") if text.count(",") == 1 else text


@action("account_pay_start")
def account_pay_start(turn: Turn):
    """Start the payment and hand over its checkout page's address: in the reply, or by
    SMS where the channel cannot open an address. A wrong amount is said (billing's words)
    and asked again; a retried message or USSD hop starts nothing more (the engine answers
    it from the session)."""
    account = _account(turn)
    payment = payment_start(actor=turn.actor(), account=account,
                            amount=amount_typed(turn.answers.get("amount", "")))
    path = reverse("web:pay", args=[account.municipality.code, account.account_number])
    values = {"amount": rands(payment.amount), "account_number": account.account_number,
              "url": f"{settings.SITE_URL}{path}?{urlencode({'payment': payment.uuid})}"}
    if turn.channel not in NO_LINKS:
        return "link", values
    message_queue(to=turn.session.sender, channel="sms",
                  body=str(ACCOUNT_TEXTS["account_pay_link"]) % values, purpose="service",
                  citizen=turn.citizen, municipality=account.municipality,
                  language=translation.get_language() or "en",
                  dedupe_key=f"billing-pay-link:{payment.uuid}")
    return "sms", {k: v for k, v in values.items() if k != "url"}
