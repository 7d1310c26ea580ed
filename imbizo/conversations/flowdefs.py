"""Flows declared in YAML (``flows/*.yaml``), checked when loaded.

A flow is ``{id, start, nodes: {name: {type, ...}}}``. A ``next`` names a node of the
same flow or ``@flow`` (another flow's start). Texts are keys of ``texts.TEXTS``; a
municipality's override (``FlowOverride``) may also use its own words. Anything wrong
(an unknown node type, action, source or text key, a ``next`` to no node) is a
``FlowError`` naming the flow and the node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from imbizo.cases.limits import TEXT_MAX_LENGTH

from . import (  # noqa: F401  (they fill the registry)
    account_actions,
    actions,
    community_flow,
    community_texts,
    facilities_flow,
    loadshedding_flow,
    matters_flow,
    news_flow,
    representatives_flow,
    sources,
)
from .registry import ACTIONS, SOURCES
from .texts import TEXTS

FLOWS_DIR = Path(__file__).parent / "flows"
NODE_TYPES = frozenset({"menu", "question", "location", "photo", "confirm", "action",
                        "handover", "end"})
CHECKS = frozenset({"reference", "digits", "rating"})
MAX_TEXT = TEXT_MAX_LENGTH  # the services' own limit on free text


class FlowError(ValueError):
    pass


@dataclass(frozen=True)
class Option:
    label: str
    next: str


@dataclass(frozen=True)
class Node:
    name: str
    type: str
    text: str = ""
    text_gps: str = ""
    options: tuple[Option, ...] = ()
    options_from: str = ""
    save: str = ""
    next: str | dict = ""
    validate: dict = field(default_factory=dict)
    action: str = ""
    if_yes: str = ""
    if_no: str = ""
    error: str = ""

    def targets(self) -> list[str]:
        found = [o.next for o in self.options]
        found += [t for t in (self.if_yes, self.if_no, self.error) if t]
        found += list(self.next.values()) if isinstance(self.next, dict) else \
            [self.next] if self.next else []
        return found


@dataclass(frozen=True)
class Flow:
    id: str
    start: str
    nodes: dict[str, Node]


# What each node type must carry besides its type.
_REQUIRED = {
    "menu": ("text",), "question": ("text", "save", "next"), "location": ("text", "save", "next"),
    "photo": ("text", "save", "next"), "confirm": ("text", "if_yes", "if_no"),
    "action": ("action", "next"), "handover": ("text",), "end": ("text",),
}
_FIELDS = {"type", "text", "text_gps", "options", "options_from", "save", "next", "validate",
           "action", "if_yes", "if_no", "error"}


def flow_parse(text: str, *, flow_ids: frozenset[str], literal_texts: bool = False) -> Flow:
    """Read and check one flow. ``literal_texts``: a text that is no key is the
    municipality's own words (overrides); shipped flows use keys only."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FlowError(f"not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict) or not data["nodes"]:
        raise FlowError("a flow is a mapping with id, start and nodes")
    flow_id = str(data.get("id") or "")
    if flow_id not in flow_ids:
        raise FlowError(f"flow {flow_id!r}: no such flow (one of {', '.join(sorted(flow_ids))})")
    nodes = {str(name): _node(flow_id, str(name), spec, literal_texts)
             for name, spec in data["nodes"].items()}
    start = str(data.get("start") or "")
    if start not in nodes:
        raise FlowError(f"flow {flow_id}: start {start!r} is no node")
    for node in nodes.values():
        for target in node.targets():
            if target.startswith("@") and target[1:] in flow_ids:
                continue
            if target not in nodes:
                raise FlowError(f"flow {flow_id}, node {node.name}: next {target!r} is no node")
    return Flow(flow_id, start, nodes)


def _node(flow_id: str, name: str, spec, literal_texts: bool) -> Node:
    where = f"flow {flow_id}, node {name}"
    if not isinstance(spec, dict):
        raise FlowError(f"{where}: a node is a mapping")
    kind = spec.get("type")
    if kind not in NODE_TYPES:
        raise FlowError(f"{where}: unknown node type {kind!r}")
    unknown = set(spec) - _FIELDS
    if unknown:
        raise FlowError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    for required in _REQUIRED[kind]:
        if not spec.get(required):
            raise FlowError(f"{where}: a {kind} needs {required!r}")
    for key in ("text", "text_gps"):
        if spec.get(key):
            _text(where, spec[key], literal_texts)
    options = tuple(_option(where, o, literal_texts) for o in spec.get("options") or ())
    if kind == "menu":
        if bool(options) == bool(spec.get("options_from")):
            raise FlowError(f"{where}: a menu has options or options_from, one of them")
        if spec.get("options_from") and not (spec.get("save") and spec.get("next")):
            raise FlowError(f"{where}: a menu with options_from needs save and next")
    if spec.get("options_from") and spec["options_from"] not in SOURCES:
        raise FlowError(f"{where}: unknown options_from {spec['options_from']!r}")
    if kind == "action" and spec["action"] not in ACTIONS:
        raise FlowError(f"{where}: unknown action {spec['action']!r}")
    validate = spec.get("validate") or {}
    if set(validate) - {"min_length", "max_length", "kind"} or \
            validate.get("kind", "reference") not in CHECKS or \
            int(validate.get("max_length", 0)) > MAX_TEXT:
        raise FlowError(f"{where}: validate takes min_length, max_length (at most {MAX_TEXT}) "
                        f"and kind ({', '.join(sorted(CHECKS))})")
    nxt = spec.get("next") or ""
    if not isinstance(nxt, str | dict):
        raise FlowError(f"{where}: next is a node or a mapping of results to nodes")
    return Node(name=name, type=kind, text=spec.get("text", ""), text_gps=spec.get("text_gps", ""),
                options=options, options_from=spec.get("options_from", ""),
                save=spec.get("save", ""),
                next={str(k): str(v) for k, v in nxt.items()} if isinstance(nxt, dict) else nxt,
                validate=validate, action=spec.get("action", ""), if_yes=spec.get("if_yes", ""),
                if_no=spec.get("if_no", ""), error=spec.get("error", ""))


def _text(where: str, text, literal_texts: bool) -> None:
    if not isinstance(text, str):
        raise FlowError(f"{where}: a text is a string")
    if text not in TEXTS and not literal_texts:
        raise FlowError(f"{where}: unknown text key {text!r}")


def _option(where: str, spec, literal_texts: bool) -> Option:
    if not isinstance(spec, dict) or not spec.get("label") or not spec.get("next"):
        raise FlowError(f"{where}: an option has a label and a next")
    _text(where, spec["label"], literal_texts)
    return Option(str(spec["label"]), str(spec["next"]))


@cache
def shipped_flows() -> dict[str, Flow]:
    """The flows in ``flows/``, read and checked once per process."""
    files = sorted(FLOWS_DIR.glob("*.yaml"))
    ids = frozenset(path.stem for path in files)
    flows = {}
    for path in files:
        flow = flow_parse(path.read_text(encoding="utf-8"), flow_ids=ids)
        if flow.id != path.stem:
            raise FlowError(f"flow {flow.id}: its file is {path.name}")
        flows[flow.id] = flow
    return flows


def override_parse(text: str) -> Flow:
    """A municipality's version of a shipped flow (its own words allowed)."""
    return flow_parse(text, flow_ids=frozenset(shipped_flows()), literal_texts=True)
