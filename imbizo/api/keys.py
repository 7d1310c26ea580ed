"""Making and checking API keys."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from imbizo.accounts.models import Membership
from imbizo.audit.services import audit_record
from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import Actor, require
from imbizo.geo.models import Municipality

from .models import ApiKey

LAST_USED_PRECISION = timedelta(minutes=5)  # don't write on every request


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _locked(model, pk: int):
    """The row, locked against a concurrent change (not its municipality's row)."""
    return model.objects.select_for_update(of=("self",)).select_related("municipality").get(pk=pk)


@transaction.atomic
def api_key_create(*, actor: Actor, municipality: Municipality, name: str,
                   role: str = "agent") -> tuple[ApiKey, str]:
    """Returns the key row and the key itself, which is never shown again."""
    require(actor, "apikey.manage", municipality.pk)
    if role in ("platform_admin", "municipal_admin"):
        raise ImbizoError("role_not_allowed", "An API key cannot hold an administrator role.",
                          field="role")
    key = "imb_" + secrets.token_urlsafe(32)
    row = ApiKey(municipality=municipality, name=name, prefix=key[4:12], key_hash=_hash(key),
                 role=role)
    row.full_clean()
    row.save()
    audit_record(actor=actor.label, channel=actor.channel, action="apikey.create", obj=row,
                 municipality_code=municipality.code, changes={"name": name, "role": role,
                                                               "prefix": row.prefix})
    return row, key


@transaction.atomic
def api_key_rename(*, actor: Actor, key: ApiKey, name: str) -> ApiKey:
    require(actor, "apikey.manage", key.municipality_id)
    key = _locked(ApiKey, key.pk)
    if key.name != name:
        key.name = name
        key.full_clean()
        key.save(update_fields=["name", "updated"])
        audit_record(actor=actor.label, channel=actor.channel, action="apikey.rename", obj=key,
                     municipality_code=key.municipality.code, changes={"fields": ["name"]})
    return key


@transaction.atomic
def api_key_revoke(*, actor: Actor, key: ApiKey) -> ApiKey:
    """Refuse the key from now on, in every process within a second (the configuration
    memo watches this table). A revoked key stays revoked: an integrator gets a new one."""
    require(actor, "apikey.manage", key.municipality_id)
    key = _locked(ApiKey, key.pk)
    if key.active:
        key.active = False
        key.save(update_fields=["active", "updated"])
        audit_record(actor=actor.label, channel=actor.channel, action="apikey.revoke", obj=key,
                     municipality_code=key.municipality.code, changes={"prefix": key.prefix})
    return key


def api_key_actor(key: str, *, channel: str = "api") -> Actor | None:
    """The actor behind a key, or None for an unknown or revoked key."""
    digest = _hash(key or "")
    row = config_cache.get(("api_key", digest), lambda: ApiKey.objects.select_related(
        "municipality").defer("municipality__boundary").filter(key_hash=digest,
                                                                active=True).first(),
        keep=lambda found: found is not None)
    if row is None:
        return None
    now = timezone.now()
    if row.last_used is None or now - row.last_used > LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=row.pk).update(last_used=now)
        row.last_used = now  # the memoised row too: one write per key and process
    grant = Membership(role=row.role, municipality=row.municipality)
    return Actor(kind="integrator", channel=channel, api_key=row, grants=[grant])
