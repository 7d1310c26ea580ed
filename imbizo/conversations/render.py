"""Fitting a prompt to a channel: pages of options within the channel's characters and
options per screen, labels shortened to its longest title. Numbered channels (USSD,
SMS) are measured with ``numbered_text``, the function their plugins render with, so
what fits here is what is sent."""

from __future__ import annotations

from dataclasses import dataclass

from imbizo.messaging.screens import Choice, Screen, numbered_text

from .texts import SAY

MORE, BACK = "98", "0"


@dataclass
class Prompt:
    text: str
    options: list[tuple[str, str]]  # (value kept as the answer, label shown)
    expects: str = "choice"
    end: bool = False
    fixed: tuple[Choice, ...] = ()  # shown on every page after the options ("0. Skip")
    document: tuple[str, str] | None = None  # a file sent with it (messaging/screens.py)


def shorten(text: str, limit: int) -> str:
    limit = max(limit, 1)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _measure(caps, text: str, choices: list[Choice]) -> int:
    if caps.choice_style == "numbered":
        return len(numbered_text(Screen(text=text, choices=tuple(choices))))
    return len(text)


def _text_room(caps, has_options: bool) -> int:
    """Numbered screens keep two thirds of their characters for the prompt at most, so
    options always have room; elsewhere options are not part of the text."""
    if has_options and caps.choice_style == "numbered":
        return caps.screen_chars * 2 // 3
    return caps.screen_chars


def _labels(caps, prompt: Prompt) -> list[Choice]:
    return [Choice(str(i + 1), shorten(label, caps.choice_label_chars))
            for i, (_value, label) in enumerate(prompt.options)]


def _nav(caps, more: bool, back: bool) -> list[Choice]:
    nav = [Choice(MORE, shorten(str(SAY["more"]), caps.choice_label_chars))] if more else []
    if back:
        nav.append(Choice(BACK, shorten(str(SAY["back"]), caps.choice_label_chars)))
    return nav


def _length(caps, text: str, lines: int, count: int) -> int:
    """What ``_measure`` would count for ``text`` with options whose lines sum to
    ``lines`` characters (``count`` of them), without building the text: pages are
    worked out on every hop."""
    if caps.choice_style != "numbered":
        return len(text)
    return len(text) + lines + count if text else max(lines + count - 1, 0)


def _line(choice: Choice) -> int:
    return len(choice.key) + 2 + len(choice.label)  # "1. Water", as numbered_text writes it


def pages(prompt: Prompt, caps) -> list[range]:
    """Which options each page shows: as many as fit, with "98. More" while more follow
    and "0. Back" after the first page."""
    text = shorten(prompt.text, _text_room(caps, bool(prompt.options)))
    choices = _labels(caps, prompt)
    fixed = list(prompt.fixed)
    more, back_choice = _nav(caps, True, True)
    found: list[range] = []
    start = 0
    while start < len(choices) or not found:
        back = bool(found)
        tail = fixed + ([back_choice] if back else [])
        lines, count = sum(_line(c) for c in tail), len(tail)
        taken = 0
        while start + taken < len(choices):
            trial = start + taken + 1
            lines += _line(choices[trial - 1])
            count += 1
            follow = trial < len(choices)  # "98. More" is shown too
            shown_lines, shown = lines + (_line(more) if follow else 0), count + follow
            if shown > caps.max_choices or \
                    _length(caps, text, shown_lines, shown) > caps.screen_chars:
                break
            taken += 1
        taken = max(taken, 1) if start < len(choices) else 0
        found.append(range(start, start + taken))
        start += taken
    return found


def fit(prompt: Prompt, caps, page: int = 0) -> Screen:
    """The screen for ``page`` of the prompt (clamped to the pages there are)."""
    ranges = pages(prompt, caps)
    page = min(max(page, 0), len(ranges) - 1)
    choices = _labels(caps, prompt)
    shown = [choices[i] for i in ranges[page]] + list(prompt.fixed) + \
        _nav(caps, page + 1 < len(ranges), page > 0)
    text = shorten(prompt.text, _text_room(caps, bool(shown)))
    if caps.choice_style == "numbered" and _measure(caps, text, shown) > caps.screen_chars:
        room = caps.screen_chars - _measure(caps, "", shown) - 1
        text = shorten(text, room)
    return Screen(text=text, choices=tuple(shown), expects=prompt.expects, end=prompt.end,
                  document=prompt.document)
