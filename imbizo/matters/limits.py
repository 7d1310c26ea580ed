"""How long a matter's words may be, on every channel, and the check that says so.

A councillor's answer goes to the resident in one message, SMS included (918 characters
at most, six parts): 700 characters leave room for the sentence around it in every
language.
"""

from imbizo.cases.limits import text_check
from imbizo.core.errors import ImbizoError

TITLE_MAX_LENGTH = 120
TEXT_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 700
NOTE_MAX_LENGTH = 700
TITLE_FROM_TEXT = 80  # a title made from the text's beginning when none is given


def words_check(field: str, text: str, limit: int, *, missing: str = "") -> str:
    """``text`` stripped, or a 400 naming the field: past ``limit``, or empty when
    ``missing`` (the message to say then) is given."""
    text = (text or "").strip()
    if missing and not text:
        raise ImbizoError(f"{field}_required", missing, field=field)
    return text_check(field, text, limit)


def title_from(text: str) -> str:
    """The first words of the text, for a matter raised without a title."""
    line = " ".join(text.split())
    if len(line) <= TITLE_FROM_TEXT:
        return line
    cut = line[:TITLE_FROM_TEXT - 3].rsplit(" ", 1)[0]
    return cut + "..."
