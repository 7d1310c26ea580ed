"""The one public shape of a case, for events, webhooks and API output."""

from .models import Case


def case_event_data(case: Case) -> dict:
    """What integrators receive. The reporter appears only as an opaque id."""
    return {
        "reference": case.reference,
        "uuid": str(case.uuid),
        "municipality": case.municipality.code,
        "category": case.category.code,
        "status": case.status,
        "priority": case.priority,
        "department": case.department.code if case.department_id else None,
        "ward": case.ward.code if case.ward_id else None,
        "latitude": case.latitude,
        "longitude": case.longitude,
        "address": case.address,
        "description": case.description,
        "reporter": str(case.reporter.uuid) if case.reporter_id else None,
        "channel": case.channel,
        "version": case.version,
        "created": case.created.isoformat(),
        "updated": case.updated.isoformat(),
        "resolve_due": case.resolve_due.isoformat() if case.resolve_due else None,
        "affected_count": case.affected_count,
    }
