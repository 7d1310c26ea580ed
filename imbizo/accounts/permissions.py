"""Actors of staff and residents: the memberships behind the permission layer
(``core.permissions``) are loaded here, where they live."""

from imbizo.core.permissions import Actor

from .models import Membership, Role


def staff_actor(user, *, channel: str = "web") -> Actor:
    """Load a staff user's active memberships, with their municipalities' codes, once
    (one query)."""
    if user.is_superuser:
        memberships = [Membership(user=user, role=Role.PLATFORM_ADMIN)]
    else:
        memberships = list(Membership.objects.filter(user=user, active=True).select_related(
            "municipality").only("role", "municipality_id", "department_id", "ward_id",
                                 "user_id", "municipality__code"))
    return Actor(kind="staff", channel=channel, user=user, grants=memberships)


def citizen_actor(citizen, *, channel: str) -> Actor:
    return Actor(kind="citizen", channel=channel, citizen=citizen)
