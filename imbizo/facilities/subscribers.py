"""React to facility changes. The nearest-facility index is this process's memo (other
processes see the new version on their own), so its hook is local: never written down."""

from imbizo.core.events import subscribe

from .index import facility_index


@subscribe("facilities_changed", durable=False)
def rebuild_facility_index(**_payload) -> None:
    facility_index.invalidate()
