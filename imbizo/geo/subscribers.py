"""React to geography events. The ward index is this process's memo (other processes see
the new boundary version on their own), so its hook is local: never written down."""

from imbizo.core.events import subscribe

from .index import ward_index


@subscribe("boundaries_changed", durable=False)
def rebuild_ward_index(**_payload) -> None:
    ward_index.invalidate()
