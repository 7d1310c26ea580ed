"""Who is calling the API: an integrator's key or a signed-in staff member."""

from ninja.security import APIKeyHeader, SessionAuth

from imbizo.accounts.permissions import staff_actor
from imbizo.core.permissions import Actor

from .keys import api_key_actor


class ApiKeyAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key: str | None) -> Actor | None:
        return api_key_actor(key) if key else None


class StaffSessionAuth(SessionAuth):
    """The staff console's session (CSRF-checked on writes by ninja)."""

    def authenticate(self, request, key) -> Actor | None:
        user = super().authenticate(request, key)
        if user is None or not user.is_staff:
            return None
        return staff_actor(user, channel="web")


api_auth = [ApiKeyAuth(), StaffSessionAuth()]
