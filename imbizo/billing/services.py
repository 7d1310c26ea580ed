"""Linking a signed-in resident to a utility account, and unlinking.

A resident proves control of an account by its number and either the holder's ID number
(compared as keyed hashes, never logged) or a one-time PIN sent to the phone or e-mail
address on the billing record (pins.py). Wrong tries are limited (lockout.py). The first
resident to prove control is the account's holder; anyone proving it after that is a
proxy, pending until the holder approves, so several residents share an account only
with the holder's consent. Every step is audited without the ID number or the PIN.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imbizo.accounts.models import Consent
from imbizo.accounts.services import consent_give
from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError, NotFound, PermissionDenied
from imbizo.core.events import emit
from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality

from . import lockout, pins
from .identity import id_number_matches
from .models import AccountLink, LinkAttempt, LinkMethod, UtilityAccount


@dataclass(frozen=True)
class LinkStarted:
    """What to ask the resident for next: the ID number, or the PIN sent to
    ``destination`` (masked) before ``expires``."""

    method: str
    destination: str = ""
    expires: datetime | None = None


def _resident(actor: Actor):
    if actor.kind != "citizen":
        raise ImbizoError("sign_in_required", _("Sign in to link an account."), status=403)
    return actor.citizen


def _method(method: str) -> str:
    if method not in LinkMethod.values:
        raise ImbizoError("invalid_method", _("Choose how to show the account is yours: the "
                                              "holder's ID number, or a PIN by SMS or e-mail."),
                          field="method")
    return method


def _account(municipality: Municipality, account_number: str) -> UtilityAccount | None:
    return UtilityAccount.objects.filter(municipality=municipality,
                                         account_number=(account_number or "").strip()).first()


def _not_found(municipality: Municipality, account_number: str) -> ImbizoError:
    return NotFound("account_not_found",
                    _("%(municipality)s has no account %(number)s. Check the number on your "
                      "bill.") % {"municipality": municipality.name,
                                  "number": (account_number or "").strip()},
                    field="account_number")


def _audit(actor: Actor, action: str, obj, account: UtilityAccount | None,
           municipality: Municipality, **changes) -> None:
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=obj,
                 municipality_code=municipality.code,
                 changes={"account": account.account_number if account else None, **changes})


def _failed(actor: Actor, citizen, municipality: Municipality, account_number: str,
            account: UtilityAccount | None, method: str, now: datetime,
            refusal: ImbizoError | None = None) -> ImbizoError:
    """Count a wrong try and say what now: paused until when, or how many tries are left."""
    attempt = LinkAttempt.objects.create(
        municipality=municipality, citizen=citizen, account=account,
        account_number=(account_number or "").strip()[:32], method=method, ok=False, created=now)
    _audit(actor, "billing.link_fail", attempt, account, municipality, method=method)
    if paused := lockout.lockout_check(citizen=citizen, account=account, now=now):
        return paused
    if refusal is not None:
        return refusal
    left = lockout.tries_left(citizen=citizen, now=now)
    return ImbizoError("link_not_matched", ngettext(
        "That does not match the account's records. %(n)s try left.",
        "That does not match the account's records. %(n)s tries left.", left) % {"n": left},
        field="proof", tries_left=left)


def account_link_start(*, actor: Actor, municipality: Municipality, account_number: str,
                       method: str, send: pins.Sender | None = None,
                       language: str = "") -> LinkStarted:
    """Begin proving control: nothing to do for the ID number; a PIN sent (through
    ``send``) to the phone or e-mail address on record otherwise, in ``language`` (the
    resident's own by default). An unknown account number counts as a wrong try."""
    citizen, method = _resident(actor), _method(method)
    with transaction.atomic():
        outcome = _start(actor, citizen, municipality, account_number, method, send,
                         language or citizen.language)
    if isinstance(outcome, ImbizoError):
        raise outcome
    return outcome


def _start(actor, citizen, municipality, account_number, method, send,
           language) -> LinkStarted | ImbizoError:
    now = timezone.now()
    account = _account(municipality, account_number)
    if paused := lockout.lockout_check(citizen=citizen, account=account, now=now):
        return paused
    if account is None:
        return _failed(actor, citizen, municipality, account_number, None, method, now,
                       _not_found(municipality, account_number))
    if method == LinkMethod.ID_NUMBER:
        if not account.holder_id_hash:
            return ImbizoError("no_id_number_on_record",
                               _("This account has no ID number on record: ask for a PIN "
                                 "instead."), field="method")
        return LinkStarted(method)
    if send is None:
        raise ValueError("a PIN needs a sender")
    challenge = pins.pin_send(citizen=citizen, account=account, method=method, now=now,
                              send=send, language=language)
    _audit(actor, "billing.pin_send", challenge, account, municipality, method=method)
    return LinkStarted(method, pins.masked(pins.address_on_record(account, method)),
                       challenge.expires)


def account_link_verify(*, actor: Actor, municipality: Municipality, account_number: str,
                        method: str, proof: str) -> AccountLink:
    """Link the resident if ``proof`` (the holder's ID number, or the PIN) matches: as the
    holder, or as a proxy awaiting the holder's approval if the account has a holder. A
    wrong proof is counted even though it raises."""
    citizen, method = _resident(actor), _method(method)
    with transaction.atomic():
        outcome = _verify(actor, citizen, municipality, account_number, method, proof)
    if isinstance(outcome, ImbizoError):
        raise outcome
    return outcome


def _verify(actor, citizen, municipality, account_number, method,
            proof) -> AccountLink | ImbizoError:
    now = timezone.now()
    account = _account(municipality, account_number)
    if paused := lockout.lockout_check(citizen=citizen, account=account, now=now):
        return paused
    if account is None:
        return _failed(actor, citizen, municipality, account_number, None, method, now,
                       _not_found(municipality, account_number))
    if method == LinkMethod.ID_NUMBER:
        outcome = "ok" if id_number_matches(proof or "", account.holder_id_hash) else "wrong"
    else:
        outcome = pins.pin_check(citizen=citizen, account=account, method=method,
                                 code=proof, now=now)
    if isinstance(outcome, ImbizoError):
        return outcome
    if outcome != "ok":
        return _failed(actor, citizen, municipality, account_number, account, method, now,
                       pins.pin_spent() if outcome == "spent" else None)
    LinkAttempt.objects.create(municipality=municipality, citizen=citizen, account=account,
                               account_number=account.account_number, method=method, ok=True,
                               created=now)
    return _link(actor, citizen, account, method, now)


def _link(actor: Actor, citizen, account: UtilityAccount, method: str,
          now: datetime) -> AccountLink:
    # The account's row is locked so that two residents proving control at once do not
    # both become its holder.
    account = UtilityAccount.objects.select_for_update().select_related("municipality") \
        .defer("municipality__boundary").get(pk=account.pk)
    live = AccountLink.objects.filter(account=account, unlinked__isnull=True)
    existing = live.filter(citizen=citizen).first()
    if existing is not None:
        return existing
    has_holder = live.filter(role=AccountLink.Role.HOLDER).exists()
    link = AccountLink(municipality=account.municipality, account=account, citizen=citizen,
                       method=method,
                       role=AccountLink.Role.PROXY if has_holder else AccountLink.Role.HOLDER,
                       consented=None if has_holder else now)
    link.full_clean(exclude=["municipality", "account", "citizen", "approved_by"])
    link.save()
    consent_give(actor=actor, citizen=citizen, purpose=Consent.Purpose.BILLING)
    emit("account_link_requested" if link.pending else "account_linked",
         municipality_id=account.municipality_id, link_id=link.pk, account_id=account.pk,
         citizen_id=citizen.pk, role=link.role)
    _audit(actor, "billing.link", link, account, account.municipality, role=link.role,
           method=method, pending=link.pending)
    return link


def _holder(actor: Actor, account: UtilityAccount) -> AccountLink | None:
    if actor.kind != "citizen":
        return None
    return AccountLink.objects.filter(account=account, citizen=actor.citizen,
                                      role=AccountLink.Role.HOLDER,
                                      unlinked__isnull=True).first()


def _locked_link(link: AccountLink) -> AccountLink:
    return AccountLink.objects.select_for_update(of=("self",)).select_related(
        "account", "municipality").defer("municipality__boundary").get(pk=link.pk)


@transaction.atomic
def account_link_approve(*, actor: Actor, link: AccountLink) -> AccountLink:
    """The holder agrees that the resident behind a pending proxy link may see the account."""
    link = _locked_link(link)
    holder = _holder(actor, link.account)
    if holder is None:
        raise PermissionDenied(_("Only the account holder can approve this."))
    if not link.pending:
        raise ImbizoError("link_not_pending", _("This request was already answered."),
                          status=409)
    link.consented, link.approved_by = timezone.now(), holder.citizen
    link.save(update_fields=["consented", "approved_by", "updated"])
    emit("account_linked", municipality_id=link.municipality_id, link_id=link.pk,
         account_id=link.account_id, citizen_id=link.citizen_id, role=link.role)
    _audit(actor, "billing.link_approve", link, link.account, link.municipality,
           role=link.role)
    return link


@transaction.atomic
def account_unlink(*, actor: Actor, link: AccountLink) -> AccountLink:
    """End a link: the resident's own, or (for the holder) a proxy's or a request on their
    account. The account stays; linking again needs proof again."""
    link = _locked_link(link)
    own = actor.kind == "citizen" and link.citizen_id == actor.citizen.pk
    if not own and (link.role == AccountLink.Role.HOLDER or _holder(actor, link.account) is None):
        raise PermissionDenied(_("You may not unlink this."))
    if link.unlinked is None:
        link.unlinked = timezone.now()
        link.save(update_fields=["unlinked", "updated"])
        emit("account_unlinked", municipality_id=link.municipality_id, link_id=link.pk,
             account_id=link.account_id, citizen_id=link.citizen_id, role=link.role)
        _audit(actor, "billing.unlink", link, link.account, link.municipality,
               role=link.role, by_holder=not own)
    return link
