"""The engine: from where a resident is in a flow and what they sent, the next screen.

A waiting node (menu, question, location, photo, confirm) shows a screen and reads the
answer; the others run at once (an action picks the next node, an end or a handover
closes the conversation). A wrong answer keeps the node and says why, with the same
screen; nothing the resident entered before is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from imbizo.cases.reference import reference_parse
from imbizo.core.config_cache import config_cache
from imbizo.core.errors import ImbizoError
from imbizo.messaging.screens import Choice, Screen

from . import places
from .flowdefs import MAX_TEXT, Flow, FlowError, Node, override_parse, shipped_flows
from .handover import handover_request
from .models import ConversationSession, FlowOverride
from .registry import ACTIONS, SOURCES
from .render import BACK, MORE, Prompt, fit, pages, shorten
from .texts import SAY, TEXTS
from .turn import Turn

MAIN = "main"
MAX_STEPS = 50  # nodes run without input before a flow is taken to loop


@dataclass(frozen=True)
class Event:
    kind: str = "text"  # "text", "choice", "location", "photo", "contact", "unsupported"
    text: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Stay:
    """The answer did not move the conversation: show the node again, with ``notice``."""

    notice: str = ""


class _Values(dict):
    def __missing__(self, key):
        return ""


def say(text_or_key: str, answers: dict | None = None) -> str:
    """A flow's text in the active language, its placeholders filled from the answers."""
    text = str(TEXTS.get(text_or_key, text_or_key))
    if "%(" not in text:
        return text
    values = _Values({k: v for k, v in (answers or {}).items() if not k.startswith("_")})
    try:
        return text % values
    except (ValueError, TypeError):
        return text


def flow_get(flow_id: str, municipality_id: int | None) -> Flow:
    """The municipality's active override of a flow, else the shipped one."""
    if municipality_id:
        overrides = config_cache.get(("flow_overrides", municipality_id), lambda: {
            o.flow_id: override_parse(o.definition) for o in
            FlowOverride.objects.filter(municipality_id=municipality_id, active=True)})
        if flow_id in overrides:
            return overrides[flow_id]
    return shipped_flows()[flow_id]


def _flow(turn: Turn) -> Flow:
    return flow_get(turn.session.flow, turn.answers.get("municipality"))


def _node(turn: Turn) -> Node:
    return _flow(turn).nodes[turn.session.node]


# --- starting, answering ---------------------------------------------------------------
def engine_begin(turn: Turn, notice: str = "") -> Screen:
    """The main menu, forgetting any flow in progress (the municipality is kept, and the
    load-shedding area last looked at)."""
    session = turn.session
    kept = {k: session.answers[k] for k in ("municipality", "loadshedding_area")
            if session.answers.get(k)}
    citizen = session.citizen
    if "municipality" not in kept and citizen is not None and citizen.municipality_id:
        kept["municipality"] = citizen.municipality_id
    session.answers, session.state = kept, ConversationSession.State.ACTIVE
    return _go(turn, "@" + MAIN, notice)


def engine_resume_offer(turn: Turn) -> Screen:
    turn.answers["_offer"] = True
    return _offer_screen(turn)


def _offer_screen(turn: Turn, notice: str = "") -> Screen:
    text = f"{notice}\n{SAY['resume']}" if notice else str(SAY["resume"])
    return fit(Prompt(text, [("1", str(SAY["continue"])), ("2", str(SAY["start_again"]))]),
               turn.caps)


def engine_show(turn: Turn, notice: str = "") -> Screen:
    """The current node's screen again (after a resume, or a wrong answer)."""
    return _show(turn, notice)


def engine_answer(turn: Turn, event: Event) -> Screen:
    session = turn.session
    if session.answers.pop("_offer", None):
        choice = event.text.strip()
        if choice == "1":
            return _show(turn)
        if choice == "2":
            return engine_begin(turn)
        session.answers["_offer"] = True
        return _offer_screen(turn, str(SAY["unknown_option"]))
    if session.state != ConversationSession.State.ACTIVE or not session.flow:
        return engine_begin(turn)
    node = _node(turn)
    outcome = _answer(turn, node, event)
    if isinstance(outcome, Stay):
        return _show(turn, outcome.notice)
    return _go(turn, outcome)


# --- moving through nodes --------------------------------------------------------------
def _go(turn: Turn, target: str, notice: str = "") -> Screen:
    session = turn.session
    for _step in range(MAX_STEPS):
        if target.startswith("@"):
            session.flow = target[1:]
            target = _flow(turn).start
        session.node, session.page = target, 0
        node = _node(turn)
        if node.type == "action":
            try:
                result, values = ACTIONS[node.action](turn)
            except ImbizoError as exc:
                if not node.error:
                    return _finish(turn, SAY["error"] % {"reason": exc.message})
                target, notice = node.error, exc.message
                continue
            # Kept as JSON: a lazy translation (a status label) as the text it is now.
            turn.answers.update({k: v if isinstance(v, int | float | dict | list | None)
                                 else str(v) for k, v in values.items()})
            target = _next(node, result)
            continue
        if node.type == "photo" and not turn.caps.shares_photo:
            target = node.next
            continue
        if node.type == "handover":
            handover_request(session=session, municipality=turn.municipality())
            return _finish(turn, say(node.text, turn.answers))
        if node.type == "end":
            return _finish(turn, say(node.text, turn.answers))
        return _show(turn, notice)
    raise FlowError(f"flow {session.flow}: more than {MAX_STEPS} nodes without a screen")


def _next(node: Node, result: str) -> str:
    if isinstance(node.next, str):
        return node.next
    if result in node.next:
        return node.next[result]
    if "default" in node.next:
        return node.next["default"]
    raise FlowError(f"node {node.name}: action {node.action} gave {result!r}, which has no next")


def _finish(turn: Turn, text: str) -> Screen:
    turn.session.state = ConversationSession.State.DONE
    return fit(Prompt(text, [], expects="none", end=True, document=turn.document), turn.caps)


def _show(turn: Turn, notice: str = "") -> Screen:
    prompt = _prompt(turn, _node(turn))
    prompt.document = turn.document
    if notice:
        prompt.text = f"{notice}\n{prompt.text}"
    return fit(prompt, turn.caps, turn.session.page)


def _prompt(turn: Turn, node: Node) -> Prompt:
    text = say(node.text, turn.answers)
    if node.type in ("menu", "confirm"):
        return Prompt(text, _options(turn, node))
    if node.type == "location":
        if turn.caps.shares_location:
            return Prompt(say(node.text_gps or node.text, turn.answers), [], expects="location")
        return Prompt(text, places.place_options(turn))
    if node.type == "photo":
        skip = Choice(BACK, shorten(str(SAY["skip"]), turn.caps.choice_label_chars))
        return Prompt(text, [], expects="photo", fixed=(skip,))
    return Prompt(text, [], expects="text")


def _options(turn: Turn, node: Node) -> list[tuple[str, str]]:
    if node.type == "confirm":
        return [("yes", str(TEXTS["yes"])), ("no", str(TEXTS["no"]))]
    if node.options_from:
        return SOURCES[node.options_from](turn)
    return [(option.next, say(option.label, turn.answers)) for option in node.options]


# --- reading answers -------------------------------------------------------------------
def _answer(turn: Turn, node: Node, event: Event) -> str | Stay:
    if event.kind in ("unsupported", "contact") or \
            (event.kind == "photo" and node.type != "photo") or \
            (event.kind == "location" and node.type != "location"):
        return Stay(str(SAY["unsupported"]))
    if node.type in ("menu", "confirm"):
        return _choose(turn, node, event, _options(turn, node))
    if node.type == "location":
        return _locate(turn, node, event)
    if node.type == "photo":
        return _photo(turn, node, event)
    return _question(turn, node, event.text)


def _picked(turn: Turn, text: str, options: list, prompt: Prompt | None = None):
    """The option the resident chose (by number, or by its words), a page move, or None."""
    text = text.strip()
    if text in (MORE, BACK) and prompt is not None:
        count = len(pages(prompt, turn.caps))
        page = turn.session.page + (1 if text == MORE else -1)
        if 0 <= page < count:
            turn.session.page = page
            return Stay()
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    lowered = text.casefold()
    for option in options:
        if lowered and option[1].casefold() == lowered:
            return option
    return None


def _choose(turn: Turn, node: Node, event: Event, options: list) -> str | Stay:
    # Paged as shown: with its text, a menu's first page holds fewer options.
    picked = _picked(turn, event.text, options, Prompt(say(node.text, turn.answers), options))
    if isinstance(picked, Stay):
        return picked
    if picked is None:
        return Stay(str(SAY["unknown_option"]))
    value, label = picked
    if node.type == "confirm":
        return node.if_yes if value == "yes" else node.if_no
    if node.options_from:
        turn.answers[node.save] = value
        turn.answers[f"{node.save}_label"] = label
        return node.next
    return value  # a static option's value is where it leads


def _locate(turn: Turn, node: Node, event: Event) -> str | Stay:
    try:
        if event.kind == "location" and event.latitude is not None:
            place = places.place_from_point(turn, event.latitude, event.longitude)
        else:
            options = [] if turn.caps.shares_location else places.place_options(turn)
            picked = _picked(turn, event.text, options, Prompt("", options))
            if isinstance(picked, Stay):
                return picked
            if picked is not None:
                place = places.place_from_suburb(turn, int(picked[0]))
            elif event.text.strip():
                place = places.place_from_text(turn, event.text)
            else:
                return Stay(str(SAY["unknown_option"]))
    except ImbizoError as exc:
        return Stay(exc.message)
    turn.answers[node.save] = place
    turn.answers[f"{node.save}_text"] = places.place_read_back(place) or \
        str(getattr(turn.municipality(), "name", ""))
    return node.next


def _photo(turn: Turn, node: Node, event: Event) -> str | Stay:
    if event.kind == "photo" and turn.photo:
        turn.answers[node.save] = turn.photo
        return node.next
    if event.text.strip() in (BACK, str(SAY["skip"])):
        return node.next
    return Stay(str(SAY["unknown_option"]))


def _question(turn: Turn, node: Node, text: str) -> str | Stay:
    text = " ".join(text.split())
    rule = node.validate
    kind = rule.get("kind")
    if kind == "reference":
        try:
            text = reference_parse(text)
        except ImbizoError as exc:
            return Stay(exc.message)
    elif kind == "digits" and not text.isdigit():
        return Stay(str(SAY["not_digits"]))
    elif kind == "rating" and text not in {"1", "2", "3", "4", "5"}:
        return Stay(str(SAY["not_rating"]))
    longest = min(int(rule.get("max_length", MAX_TEXT)), MAX_TEXT)
    if len(text) > longest:
        return Stay(SAY["too_long"] % {"max": longest})
    if len(text) < int(rule.get("min_length", 1)):
        return Stay(str(SAY["too_short"]))
    turn.answers[node.save] = text
    return node.next

