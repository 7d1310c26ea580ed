"""Names a flow may use: actions (services the flow calls) and option sources (lists a
menu shows). A plain dict each; ``actions.py`` and ``sources.py`` fill them."""

from collections.abc import Callable

ACTIONS: dict[str, Callable] = {}
SOURCES: dict[str, Callable] = {}


def action(name: str):
    """Register ``fn(turn) -> (result, values)``: ``result`` picks the next node,
    ``values`` fill the flow's placeholders. An ``ImbizoError`` is said to the resident."""
    def register(fn):
        ACTIONS[name] = fn
        return fn
    return register


def source(name: str):
    """Register ``fn(turn) -> [(value, label), ...]``: a menu's options."""
    def register(fn):
        SOURCES[name] = fn
        return fn
    return register
