"""The directory in conversations (flows/directory.yaml): a word, then up to three entries
with their numbers in one screen (USSD: within 182 characters); where the channel sends
files (WhatsApp, Telegram) the entries' forms are offered and one is sent as a document,
fetched from its public address; SMS and the web chat get the forms' addresses when they
fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from imbizo.community.directory_selectors import directory_search

from .registry import action, source
from .texts import TEXTS

if TYPE_CHECKING:
    from .turn import Turn

SHOWN = 3
NO_LINKS = frozenset({"ussd"})


def _line(entry) -> str:
    reach = entry.phone or entry.email or entry.url
    return " ".join(filter(None, [f"{entry.name}:" if reach or entry.hours else entry.name,
                                  reach, f"({entry.hours})" if entry.hours else ""]))


def _form_url(key: str) -> str:
    return settings.SITE_URL + reverse("web:directory_form", args=[key])


def fitted(lines: list[str], room: int) -> str:
    """As many lines as fit in ``room`` characters, each cut to share the room if need be."""
    for count in range(len(lines), 0, -1):
        text = "\n".join(lines[:count])
        if len(text) <= room:
            return text
    share = max(room // max(len(lines), 1) - 1, 8)
    text = "\n".join(line if len(line) <= share else line[:share - 1] + "…" for line in lines)
    return text[:room]


def _room(turn: Turn, key: str, options: bool) -> int:
    caps = turn.caps
    room = caps.screen_chars * 2 // 3 if options and caps.choice_style == "numbered" \
        else caps.screen_chars
    return room - len(str(TEXTS[key]) % {"directory_results": ""})


@action("directory_find")
def directory_find(turn: Turn):
    """Up to three entries holding every word; their forms offered where files are sent."""
    entries = directory_search(municipality=turn.municipality(), q=turn.answers["words"],
                               limit=SHOWN)
    if not entries:
        return "none", {}
    lines = [_line(e) for e in entries]
    forms = [[str(f.uuid), f.title] for e in entries for f in e.form_list]
    if forms and turn.caps.sends_documents:
        turn.answers["form_options"] = forms[:9]
        room = _room(turn, "directory_pick_form", True)
        return "forms", {"directory_results": fitted(lines, room)}
    room = _room(turn, "directory_results", False)
    text = fitted(lines, room)
    if forms and turn.channel not in NO_LINKS:
        links = "\n".join(f"{title}: {_form_url(key)}" for key, title in forms[:3])
        if len(text) + 1 + len(links) <= room:
            text = f"{text}\n{links}"
    return "found", {"directory_results": text}


@source("directory_forms")
def directory_forms(turn: Turn) -> list[tuple[str, str]]:
    found = [(key, title) for key, title in turn.answers.get("form_options") or []]
    return [*found, ("done", str(TEXTS["directory_no_form"]))]


@action("directory_form_send")
def directory_form_send(turn: Turn):
    """The chosen form as a document: the provider fetches it from its public address."""
    key = turn.answers.get("form", "done")
    if key == "done":
        return "done", {}
    title = turn.answers.get("form_label", "form")
    turn.document = (_form_url(key), f"{slugify(title)[:60] or 'form'}.pdf")
    return "sent", {}
