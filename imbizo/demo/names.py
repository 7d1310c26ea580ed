"""Made-up South African-style names for the demo's places and people.

Names are assembled from parts (isiXhosa-style stems, Afrikaans and English place
words), so no generated suburb or village claims to be a real one. Every function
takes the caller's seeded ``random.Random``: the same seed gives the same names.
"""

from random import Random

_STEM_SYLLABLES = ("ba", "be", "bu", "ka", "khu", "la", "le", "lu", "ma", "mbo", "me", "na",
                   "nde", "ngu", "ni", "nqa", "ntla", "pha", "qo", "si", "so", "tha", "tho",
                   "wa", "xo", "ya", "ye", "za", "zi", "zwe")
_TOWNSHIP_PREFIXES = ("Kwa", "Ezi", "Ema", "Ku", "Ntsi", "Mzi")
_VILLAGE_PREFIXES = ("e", "Kwa", "Ema", "Qa", "Ngo")
_AF_ROOTS = ("Rooi", "Groen", "Klip", "Sand", "Mooi", "Wit", "Doring", "Riet", "Wilger", "Bloem",
             "Blou", "Kraai", "Leeu", "Skaap", "Eike")
_AF_ENDINGS = ("fontein", "kloof", "vlei", "rivier", "hoek", "dal", "rus", "kop", "drif", "bos")
_EN_WORDS = ("Aloe", "Protea", "Acacia", "Sunny", "Hill", "River", "Valley", "Mountain", "Cedar",
             "Jacaranda", "Sunrise", "Fairview")
_EN_ENDINGS = ("Park", "View", "Heights", "Gardens", "Ridge", "Estate", "Crest")

FIRST_NAMES = ("Anele", "Ayanda", "Bongani", "Busisiwe", "Lwazi", "Johan", "Karabo", "Khanyisile",
               "Lerato", "Lindiwe", "Lulama", "Mpho", "Nandi", "Nobuhle", "Nomsa", "Palesa",
               "Pieter", "Precious", "Sibusiso", "Sipho", "Siyabonga", "Thabo", "Thandeka",
               "Themba", "Tshepo", "Vusi", "Xolani", "Yolanda", "Zanele", "Zola", "Ntombi",
               "Rudzani", "Tsakani", "Mandla", "Andile", "Kagiso", "Priya", "Fatima", "Marike",
               "Refilwe", "Lutho", "Olwethu", "Sinethemba", "Unathi", "Asanda", "Mihlali")
SURNAMES = ("Dlamini", "Nkosi", "Mokoena", "Ndlovu", "Khumalo", "Mthembu", "Sithole", "Mahlangu",
            "Botha", "van der Merwe", "Naidoo", "Baloyi", "Mabunda", "Nemavhola", "Mathebula",
            "Ngubane", "Qwabe", "Ngcobo", "Mkhize", "Zulu", "Jacobs", "Petersen", "Mabaso",
            "Mashaba", "Ntuli", "Gumede", "Tshabalala", "Mlambo", "Magwaza", "Maseko", "Jali",
            "Ngxola", "Mfeka", "Matiwane", "Ndamase", "Gxowa", "Booysen", "Pillay", "Kekana")


def _stem(rng: Random, syllables: int) -> str:
    return "".join(rng.choice(_STEM_SYLLABLES) for _ in range(syllables))


def _township(rng: Random) -> str:
    stem = _stem(rng, rng.randint(2, 3))
    return f"{rng.choice(_TOWNSHIP_PREFIXES)}{stem.capitalize()}"


def _village(rng: Random) -> str:
    prefix = rng.choice(_VILLAGE_PREFIXES)
    stem = _stem(rng, rng.randint(2, 3))
    name = f"{prefix}{stem.capitalize()}"
    return f"{name} Location" if rng.random() < 0.2 else name


def _afrikaans(rng: Random) -> str:
    return rng.choice(_AF_ROOTS) + rng.choice(_AF_ENDINGS)


def _english(rng: Random) -> str:
    return f"{rng.choice(_EN_WORDS)} {rng.choice(_EN_ENDINGS)}"


def town_name(rng: Random) -> str:
    """The main town's name: a made-up stem, as many Eastern Cape towns carry."""
    return _stem(rng, 3).capitalize()


def authority_name(rng: Random) -> str:
    """A traditional council named for a made-up clan, as in "AmaXyz Traditional Council"."""
    return f"Ama{_stem(rng, 3).capitalize()} Traditional Council"


def place_names(rng: Random, count: int, *, urban: bool, taken: set[str]) -> list[str]:
    """``count`` new names (not in ``taken``, which is updated): suburbs in town, villages
    in the countryside."""
    makers = (_township, _afrikaans, _english) if urban else (_village, _village, _afrikaans)
    names: list[str] = []
    while len(names) < count:
        maker = rng.choice(makers)
        name = maker(rng)
        if maker is _township and rng.random() < 0.3:
            name = f"{name} Extension {rng.randint(1, 9)}"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def person_name(rng: Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
