"""A resident as a fan-out reads them: the columns ``messaging.reach`` needs of a
``Citizen``, read with ``values_list`` instead of making 100,000 model instances. Shared by
the apps that fan out (news, load-shedding alerts)."""

from dataclasses import dataclass

RECIPIENT_COLUMNS = ("pk", "uuid", "phone", "email", "language", "preferred_channel")


@dataclass(frozen=True, slots=True)
class Recipient:
    pk: int
    uuid: object
    phone: str | None
    email: str
    language: str
    preferred_channel: str
