"""Every staff write on news items: compose, update, schedule, publish now, cancel.

Each checks ``news.publish`` in the item's municipality, runs in one transaction and ends
with an audit entry. Publishing a broadcast (now, or when its time comes) emits the
durable ``news_published`` event in the same transaction; ``notifications/news.py``
listens and sends it (``sending.py`` holds the sending task's steps). A scheduled item
waits for a task enqueued for its time through the ``news_scheduled`` event: nothing
polls. Residents' own writes (groups, reads) are in ``groups.py``.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imbizo.audit.services import audit_record
from imbizo.core.errors import ImbizoError
from imbizo.core.events import emit
from imbizo.core.permissions import Actor, require
from imbizo.geo.models import Municipality

from .models import BODY_MAX, SHORT_MAX, TITLE_MAX, VERSION_LANGUAGES, NewsItem
from .targets import Reach, Resolved, reach_count, target_resolve

Status = NewsItem.Status
PERMISSION = "news.publish"
EDITABLE = (Status.DRAFT, Status.SCHEDULED)
TEXT_FIELDS = ("title", "body", "short", "translations")
TARGET_FIELDS = ("target", "wards", "suburbs", "zone", "group")
CHANGEABLE = (*TEXT_FIELDS, *TARGET_FIELDS, "kind", "urgent")
LIMITS = {"title": TITLE_MAX, "body": BODY_MAX, "short": SHORT_MAX}
MAX_AHEAD = timedelta(days=366)


def audit(actor: Actor, action: str, item, **changes) -> None:
    audit_record(actor=actor.label, channel=actor.channel, action=action, obj=item,
                 municipality_code=item.municipality.code, changes=changes)


# --- checking what was written ---------------------------------------------------------
def _text(value, part: str, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise ImbizoError("required", _("Write the %(part)s.") % {"part": _part_name(part)},
                          field=field)
    if len(text) > LIMITS[part]:
        raise ImbizoError("too_long", _("At most %(max)s characters (this has %(n)s).")
                          % {"max": LIMITS[part], "n": len(text)}, field=field)
    return text


def _part_name(part: str) -> str:
    return {"title": _("title"), "body": _("text"), "short": _("short text")}[part]


def _versions(translations) -> dict[str, dict[str, str]]:
    """The other languages' versions: each given whole (title, text and short text) or
    not at all. A mistake names its field, ``<part>_<language>``."""
    if not translations:
        return {}
    if not isinstance(translations, dict) or set(translations) - set(VERSION_LANGUAGES):
        raise ImbizoError("invalid_translations",
                          _("Versions may be in %(languages)s.")
                          % {"languages": ", ".join(VERSION_LANGUAGES)}, field="translations")
    versions = {}
    for language in VERSION_LANGUAGES:
        parts = translations.get(language) or {}
        if not isinstance(parts, dict):
            raise ImbizoError("invalid_translations", _("A version has a title, a text and "
                                                        "a short text."), field="translations")
        if not any(str(parts.get(p) or "").strip() for p in LIMITS):
            continue
        versions[language] = {p: _text(parts.get(p), p, f"{p}_{language}") for p in LIMITS}
    return versions


def _choice(value, choices, field: str, message: str) -> str:
    if value not in choices.values:
        raise ImbizoError(f"invalid_{field}", message, field=field)
    return value


def _fill(item: NewsItem, data: dict[str, Any], resolved: Resolved | None) -> None:
    item.title, item.body, item.short = (_text(data[p], p, p) for p in ("title", "body",
                                                                          "short"))
    item.translations = _versions(data.get("translations"))
    item.kind = _choice(data.get("kind") or NewsItem.Kind.NEWS, NewsItem.Kind, "kind",
                        _("Choose news on the site, or a broadcast."))
    item.urgent = bool(data.get("urgent"))
    if resolved is not None:
        item.target, item.suburbs, item.zone = resolved.target, resolved.suburbs, resolved.zone
        item.group = resolved.group


def _resolve(municipality: Municipality, data: dict[str, Any]) -> Resolved:
    return target_resolve(municipality=municipality, target=data.get("target") or "",
                          wards=data.get("wards") or (), suburbs=data.get("suburbs") or (),
                          zone=data.get("zone"), group=data.get("group"))


# --- composing and changing ------------------------------------------------------------
@transaction.atomic
def news_compose(*, actor: Actor, municipality: Municipality, title: str, body: str,
                 short: str, kind: str = NewsItem.Kind.NEWS,
                 target: str = NewsItem.Target.MUNICIPALITY, wards=(), suburbs=(), zone=None,
                 group=None, translations: dict | None = None, urgent: bool = False
                 ) -> NewsItem:
    """A draft: nothing is shown or sent until it is published or its time comes."""
    require(actor, PERMISSION, municipality.pk)
    data = {"title": title, "body": body, "short": short, "kind": kind, "urgent": urgent,
            "translations": translations}
    item = NewsItem(municipality=municipality,
                    created_by=actor.user if actor.kind == "staff" else None)
    _fill(item, data, None)  # the texts first: they are what the author sees first
    resolved = _resolve(municipality, {"target": target, "wards": wards, "suburbs": suburbs,
                                       "zone": zone, "group": group})
    _fill(item, data, resolved)
    item.save()
    item.wards.set(resolved.wards)
    audit(actor, "news.compose", item, kind=item.kind, target=item.target,
          wards=[w.number for w in resolved.wards], languages=sorted(item.translations))
    return item


def _locked(item: NewsItem) -> NewsItem:
    return NewsItem.objects.select_for_update(of=("self",)).select_related("municipality") \
        .defer("municipality__boundary").get(pk=item.pk)


def _current(item: NewsItem) -> dict[str, Any]:
    return {"title": item.title, "body": item.body, "short": item.short,
            "translations": item.translations, "kind": item.kind, "urgent": item.urgent,
            "target": item.target, "wards": [w.number for w in item.wards.all()],
            "suburbs": item.suburbs, "zone": item.zone, "group": item.group_id}


@transaction.atomic
def news_update(*, actor: Actor, item: NewsItem, **changes: Any) -> NewsItem:
    """Change a draft or a scheduled item (not one already out). A scheduled one keeps
    its time."""
    require(actor, PERMISSION, item.municipality_id)
    item = _locked(item)
    if item.status not in EDITABLE:
        raise ImbizoError("news_out", _("This item has gone out and can no longer be "
                                        "changed."), status=409)
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise ImbizoError("not_changeable", _("%(field)s cannot be changed here.")
                          % {"field": unknown[0]}, field=unknown[0])
    data = _current(item) | changes
    resolved = _resolve(item.municipality, data) if set(changes) & set(TARGET_FIELDS) else None
    _fill(item, data, resolved)
    item.save()
    if resolved is not None:
        item.wards.set(resolved.wards)
    audit(actor, "news.update", item, fields=sorted(changes))
    return item


# --- sending: now, later, not at all ----------------------------------------------------
def news_reach(*, actor: Actor, item: NewsItem) -> Reach:
    """Who the item's target takes in now, and how many a broadcast would reach."""
    require(actor, PERMISSION, item.municipality_id)
    resolved = Resolved(item.target, list(item.wards.all()), item.suburbs, item.zone,
                        item.group)
    return reach_count(municipality_id=item.municipality_id, resolved=resolved)


def news_reach_preview(*, actor: Actor, municipality: Municipality, target: str, wards=(),
                       suburbs=(), zone=None, group=None) -> Reach:
    """Who a target would take in, before anything is saved (the console's preview)."""
    require(actor, PERMISSION, municipality.pk)
    resolved = _resolve(municipality, {"target": target, "wards": wards, "suburbs": suburbs,
                                       "zone": zone, "group": group})
    return reach_count(municipality_id=municipality.pk, resolved=resolved)


def _reaches_someone(actor: Actor, item: NewsItem) -> Reach:
    reach = news_reach(actor=actor, item=item)
    if item.kind == NewsItem.Kind.BROADCAST and not reach.consenting:
        raise ImbizoError("empty_target", _(
            "Nobody would receive this broadcast: of the %(n)s residents in its target, "
            "none has agreed to news messages. Choose another target, or publish it as news "
            "on the site only.") % {"n": reach.residents}, status=422,
            residents=reach.residents, consenting=0, field="target")
    return reach


def go_out(item: NewsItem) -> None:
    """Put ``item`` (locked) on the site now and, if it is a broadcast, start sending."""
    item.published = timezone.now()
    item.status = Status.SENDING if item.kind == NewsItem.Kind.BROADCAST else Status.SENT
    item.save(update_fields=["status", "published", "updated"])
    if item.status == Status.SENDING:
        emit("news_published", municipality_id=item.municipality_id, news_id=item.pk,
             urgent=item.urgent)


@transaction.atomic
def news_publish(*, actor: Actor, item: NewsItem) -> tuple[NewsItem, Reach]:
    """Publish now: news goes on the site; a broadcast is also sent (after 07:00 during
    the quiet hours, unless urgent). A broadcast that is sending and was stopped (its
    task lost) starts again where it stopped. Returns the item and its reach."""
    require(actor, PERMISSION, item.municipality_id)
    item = _locked(item)
    if item.status == Status.SENDING:
        emit("news_published", municipality_id=item.municipality_id, news_id=item.pk,
             urgent=item.urgent)
        audit(actor, "news.resume", item, cursor=item.cursor)
        return item, news_reach(actor=actor, item=item)
    if item.status not in EDITABLE:
        raise ImbizoError("news_out", _("This item was already published, or cancelled."),
                          status=409)
    reach = _reaches_someone(actor, item)
    go_out(item)
    audit(actor, "news.publish", item, kind=item.kind, residents=reach.consenting)
    return item, reach


def _when(value) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise ImbizoError("invalid_send_at", _("Give the date and time to send it."),
                          field="send_at")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    value = value.replace(microsecond=0)  # as the event carries it, to the second
    now = timezone.now()
    if value <= now:
        raise ImbizoError("send_at_past", _("That time has passed: choose a later one, or "
                                            "send it now."), field="send_at")
    if value > now + MAX_AHEAD:
        raise ImbizoError("send_at_far", _("Schedule it within a year."), field="send_at")
    return value


@transaction.atomic
def news_schedule(*, actor: Actor, item: NewsItem, send_at) -> tuple[NewsItem, Reach]:
    """Publish (and send) at ``send_at``; a scheduled item may be moved to another time.
    The task for that time is enqueued through the ``news_scheduled`` event."""
    require(actor, PERMISSION, item.municipality_id)
    send_at = _when(send_at)
    item = _locked(item)
    if item.status not in EDITABLE:
        raise ImbizoError("news_out", _("This item was already published, or cancelled."),
                          status=409)
    reach = _reaches_someone(actor, item)
    item.status, item.send_at = Status.SCHEDULED, send_at
    item.save(update_fields=["status", "send_at", "updated"])
    emit("news_scheduled", municipality_id=item.municipality_id, news_id=item.pk,
         send_at=send_at)
    audit(actor, "news.schedule", item, send_at=send_at, residents=reach.consenting)
    return item, reach


@transaction.atomic
def news_cancel(*, actor: Actor, item: NewsItem) -> NewsItem:
    """Cancel a draft or a scheduled item: its task, when its time comes, finds it
    cancelled and sends nothing."""
    require(actor, PERMISSION, item.municipality_id)
    item = _locked(item)
    if item.status not in EDITABLE:
        raise ImbizoError("news_out", _("Only a draft or a scheduled item can be "
                                        "cancelled."), status=409)
    was = item.status
    item.status = Status.CANCELLED
    item.save(update_fields=["status", "updated"])
    audit(actor, "news.cancel", item, was=was)
    return item
