"""React to geography events."""

from imbizo.core.events import subscribe

from .index import ward_index


@subscribe("boundaries_changed")
def rebuild_ward_index(**_payload) -> None:
    ward_index.invalidate()
