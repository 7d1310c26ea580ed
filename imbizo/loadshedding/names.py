"""Names as people type them and as the data writes them, made comparable.

The metadata writes suburbs and municipalities as slugs ("wheeler's-farm",
"city-of-cape-town-metropolitan"), geography as names ("City of Cape Town Metropolitan
Municipality"), and residents type whatever they like ("Wheelers Farm"). Each is compared
in one normal form: no accents, no apostrophes, lower case, words split on anything else.
"""

import re
import unicodedata

_APOSTROPHES = re.compile(r"['’`]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")
# Words that name the kind of municipality rather than which one.
_MUNICIPAL_WORDS = frozenset({"the", "local", "metropolitan", "metro", "municipality", "of",
                              "city", "council", "district"})


def normalise(text: str) -> str:
    """ "Wheeler's-Farm " -> "wheelers farm"; "Khâi-Ma" -> "khai ma"."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(_SEPARATORS.split(_APOSTROPHES.sub("", plain))).strip()


def municipality_key(text: str) -> str:
    """A municipality's name without the words for its kind: "city-of-tshwane",
    "City of Tshwane Metropolitan Municipality" and "tshwane" all give "tshwane"."""
    return " ".join(w for w in normalise(text).split() if w not in _MUNICIPAL_WORDS)


def display(text: str) -> str:
    """A slug as a name: "wheeler's-farm" -> "Wheeler's Farm"; names already written with
    capitals are kept as they are."""
    text = " ".join(str(text).replace("_", " ").replace("-", " ").split())
    if text != text.lower():
        return text
    return " ".join(_capitalised(word) for word in text.split())


def _capitalised(word: str) -> str:
    if word in {"of", "and", "the", "de", "van", "der"}:
        return word
    first = next((i for i, ch in enumerate(word) if ch.isalpha()), 0)
    return word[:first] + word[first:first + 1].upper() + word[first + 1:]


def area_name(key: str) -> str:
    """An area's name from its key: "city-of-cape-town-area-1" -> "City of Cape Town Area
    1"; "limpopo-makhado(louis_trichardt)_town" -> "Limpopo Makhado (Louis Trichardt) Town"."""
    spaced = re.sub(r"\s*\(\s*", " (", key.replace(")", ") "))
    name = display(spaced).replace("( ", "(")
    return name[:1].upper() + name[1:]
