"""How long free text on a case may be: one limit for every channel.

4,000 characters is what Open311 GeoReport v2 servers commonly accept for a
description, so a description, a comment, a note or a reason is held to the same limit
whether it came through the API, Open311, the web, a phone channel or an agent.
"""

from django.utils.translation import gettext as _

from imbizo.core.errors import ImbizoError

TEXT_MAX_LENGTH = 4000
# A caller's idempotency key is stored after the actor's label (at most 44 characters) in a
# column of 200.
IDEMPOTENCY_KEY_MAX_LENGTH = 120


def text_check(field: str, text: str, limit: int = TEXT_MAX_LENGTH) -> str:
    """``text`` as given, or a 400 that names the field and its limit."""
    if len(text) > limit:
        raise ImbizoError("text_too_long", _("%(field)s: at most %(limit)s characters.")
                          % {"field": field, "limit": limit}, field=field, max_length=limit)
    return text
