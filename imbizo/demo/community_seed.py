"""The demo's community: each part (representatives, load-shedding, facilities, matters,
news, meetings and the directory) seeds its own fictional data, idempotently, so a demo
loaded before a part existed gains it on the next ``imbizo demo``."""

from collections.abc import Callable

from imbizo.core.permissions import Actor
from imbizo.geo.models import Municipality

from . import community, facilities, loadshedding, representatives
from . import matters as matters_seed
from . import news as news_seed

# Each part's ``seed(*, actor, municipality, seed)``, in the order they build on each other.
PARTS: tuple[Callable[..., None], ...] = (
    representatives.seed,
    loadshedding.seed,
    facilities.seed,
    matters_seed.seed,
    news_seed.seed,
    community.seed,
)


def demo_community_seed(*, actor: Actor, municipality: Municipality, seed: int) -> None:
    for part in PARTS:
        part(actor=actor, municipality=municipality, seed=seed)
