"""A screen: what the conversation engine says to a resident, before any channel's format.

The engine fits each screen to the channel's capabilities (characters, options per
screen, option title length) and pages long menus; the plugin only renders it: a USSD
``CON`` page, a numbered SMS, a WhatsApp list or buttons, a Telegram keyboard. Numbered
channels render options with ``numbered_text``, the same function the engine measures
with, so what fits is what is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

EXPECTS = frozenset({"choice", "text", "location", "photo", "contact", "none"})


@dataclass(frozen=True, slots=True)
class Choice:
    key: str  # what the resident types or taps back ("1", "98", or a row id)
    label: str
    description: str = ""  # a longer line where the channel shows one (WhatsApp list rows)


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    choices: tuple[Choice, ...] = ()
    expects: str = "choice"
    end: bool = False  # the conversation is over (USSD answers END)
    # A file sent with the text where the channel sends files (a statement PDF on
    # WhatsApp or Telegram): its address, which the provider fetches, and its file name.
    document: tuple[str, str] | None = None

    def as_payload(self) -> dict:
        payload = {"text": self.text, "expects": self.expects, "end": self.end,
                   "choices": [[c.key, c.label, c.description] for c in self.choices]}
        if self.document:
            payload["document"] = list(self.document)
        return payload

    @classmethod
    def from_payload(cls, data: dict) -> Screen:
        return cls(text=data["text"], expects=data.get("expects", "choice"),
                   end=bool(data.get("end")),
                   choices=tuple(Choice(*c) for c in data.get("choices") or ()),
                   document=tuple(data["document"]) if data.get("document") else None)


def numbered_text(screen: Screen) -> str:
    """The screen as plain text with one option per line, ``1. Water``: USSD and SMS."""
    lines = [screen.text] if screen.text else []
    lines += [f"{c.key}. {c.label}" for c in screen.choices]
    return "\n".join(lines)
