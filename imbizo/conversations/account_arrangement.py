"""Arranging to pay the arrears from "My account" (flows/account.yaml), offered only when
something is overdue: the deposit, the months, billing's quote (``arrangement_quote``: the
instalment, the first due date, and whether the policy approves it at once or revenue staff
decide, and why), then, confirmed, ``arrangement_propose`` as the resident. Terms past
billing's limits are said and asked again; an arrangement already open is said, never a
second one proposed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imbizo.billing.arrangement_selectors import arrangement_list
from imbizo.billing.arrangement_terms import policy_for, referral_text
from imbizo.billing.arrangements import arrangement_propose, arrangement_quote
from imbizo.billing.models import Arrangement
from imbizo.billing.money import rands
from imbizo.core.errors import ImbizoError

from .account_actions import _account, _day
from .account_pay import amount_typed
from .account_texts import ACCOUNT_TEXTS, ARRANGEMENT_AT_ONCE, ARRANGEMENT_TO_STAFF
from .registry import action

if TYPE_CHECKING:
    from imbizo.billing.models import UtilityAccount

    from .turn import Turn


def _open(turn: Turn, account: UtilityAccount) -> dict | None:
    """The account's arrangement still proposed, approved or running, as the flow says it."""
    found = arrangement_list(actor=turn.actor()).filter(
        account=account, status__in=Arrangement.OPEN).values_list("status", flat=True).first()
    if found is None:
        return None
    return {"account_number": account.account_number,
            "arrangement_status": Arrangement.Status(found).label}


@action("account_arrangement_begin")
def account_arrangement_begin(turn: Turn):
    """An open arrangement is said at once; else the arrears and the smallest deposit the
    policy approves alone (billing's quote of no deposit over one month). Nothing overdue,
    or no longer linked: billing's refusal ends the conversation, said."""
    account = _account(turn)
    if (already := _open(turn, account)) is not None:
        return "open", already
    terms = arrangement_quote(actor=turn.actor(), account=account, deposit="0", months=1)
    return "ask", {"arrears": rands(terms.arrears), "required": rands(terms.required_deposit),
                   "max_months": policy_for(account.municipality_id).max_months}


@action("account_arrangement_deposit")
def account_arrangement_deposit(turn: Turn):
    """The deposit, checked by billing (an amount, below the arrears) before the months."""
    terms = arrangement_quote(actor=turn.actor(), account=_account(turn),
                              deposit=amount_typed(turn.answers.get("deposit", "")), months=1)
    return "ok", {"deposit": rands(terms.deposit), "rest": rands(terms.arrears - terms.deposit)}


@action("account_arrangement_quote")
def account_arrangement_quote(turn: Turn):
    """The terms as billing would propose them, read back: within the policy, approved at
    once; outside it, to staff with the reasons where they fit the screen (they are said
    in full once it is sent)."""
    terms = arrangement_quote(actor=turn.actor(), account=_account(turn),
                              deposit=amount_typed(turn.answers.get("deposit", "")),
                              months=turn.answers.get("months", ""))
    values = {"deposit": rands(terms.deposit), "months": terms.months,
              "instalment": rands(terms.instalment), "first_due": _day(terms.first_due),
              "referral": referral_text(terms.referral) if terms.referral else ""}
    values["decision"] = _decision(turn, values)
    return "quoted", values


def _decision(turn: Turn, values: dict) -> str:
    if not values["referral"]:
        return str(ARRANGEMENT_AT_ONCE)
    room = turn.caps.screen_chars
    if turn.caps.choice_style == "numbered":  # the engine keeps a third for Yes / No
        room = room * 2 // 3
    template = str(ACCOUNT_TEXTS["account_arrangement_confirm"])
    if len(template % {**values, "decision": values["referral"]}) <= room:
        return values["referral"]
    return str(ARRANGEMENT_TO_STAFF)


@action("account_arrangement_propose")
def account_arrangement_propose(turn: Turn):
    """Propose the terms confirmed: approved at once (with or without a deposit to pay
    first), or sent to staff; an arrangement opened meanwhile is said."""
    account = _account(turn)
    try:
        arrangement = arrangement_propose(
            actor=turn.actor(), account=account,
            deposit=amount_typed(turn.answers.get("deposit", "")),
            months=turn.answers.get("months", ""))
    except ImbizoError as exc:
        if exc.code == "arrangement_open" and (already := _open(turn, account)) is not None:
            return "open", already
        raise
    if arrangement.status == Arrangement.Status.PROPOSED:
        return "proposed", {"referral": referral_text(arrangement.referral)}
    deposit = arrangement.instalments.filter(number=0).first()
    values = {"months": arrangement.months, "instalment": rands(arrangement.instalment),
              "first_due": _day(arrangement.first_due)}
    if deposit is None:
        return "approved_now", values
    return "approved", {**values, "deposit": rands(deposit.amount),
                        "deposit_due": _day(deposit.due_date)}
