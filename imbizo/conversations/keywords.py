"""Words a resident can send at any time, in the six languages.

STOP and its equivalents opt a number out of SMS (the law and the networks' codes of
conduct require it on any bulk or service SMS); START brings it back. MENU starts over.
STOP LS (any of the STOP words, then LS) stops the load-shedding alerts alone, on any
channel that has words.
Matched on the whole message, any case, surrounding spaces and punctuation ignored.
"""

# en: STOP, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT; af: STOP, KANSELLEER, STAAK;
# zu: YEKA ("stop, leave it"), MISA ("stop"); xh: YEKA, YIMA ("stop"), MISA;
# st: EMISA ("stop"), KHAOTSA ("stop, cease"); tn: EMISA ("stop"), KHAOTSA.
STOP = frozenset({"STOP", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "STOPALL",
                  "KANSELLEER", "STAAK", "YEKA", "MISA", "YIMA", "EMISA", "KHAOTSA"})
# en: START, SUBSCRIBE, UNSTOP; af: BEGIN; zu/xh/st: QALA ("begin"); tn: SIMOLOLA ("begin").
START = frozenset({"START", "SUBSCRIBE", "UNSTOP", "BEGIN", "QALA", "SIMOLOLA"})
# en: MENU, HI, HELLO; af: HALLO; zu/xh: SAWUBONA, MOLWENI; st/tn: DUMELA.
ALERTS = "LS"  # after a STOP word: the load-shedding alerts
MENU = frozenset({"MENU", "HI", "HELLO", "HALLO", "SAWUBONA", "MOLO", "MOLWENI", "DUMELA"})


def _word(text: str) -> str:
    return "".join(ch for ch in text.strip().upper() if ch.isalnum())


def leaves_person(text: str) -> bool:
    """Only MENU itself takes a resident away from a person: a greeting is meant for them."""
    return _word(text) == "MENU"


def keyword(text: str) -> str:
    """"stop", "stop_alerts", "start", "menu" or ""."""
    word = _word(text)
    if word.endswith(ALERTS) and word[:-len(ALERTS)] in STOP:
        return "stop_alerts"
    if word in STOP:
        return "stop"
    if word in START:
        return "start"
    if word in MENU:
        return "menu"
    return ""
