"""Neighbours support a public suggestion of their ward: once each, never their own, never
a private matter, an issue or a closed one."""

import pytest

from imbizo.core.errors import ImbizoError
from imbizo.core.permissions import system_actor
from imbizo.matters.lifecycle import matter_close
from imbizo.matters.models import Support
from imbizo.matters.support import matter_support


def test_a_neighbour_supports_a_public_suggestion_once(raise_matter, people):
    matter = raise_matter("suggestion", text="A speed bump outside the school, please.")
    matter = matter_support(actor=people["thabo"], matter=matter)
    assert matter.support_count == 1
    with pytest.raises(ImbizoError) as twice:
        matter_support(actor=people["thabo"], matter=matter)
    assert (twice.value.code, twice.value.status) == ("already_supported", 409)
    matter.refresh_from_db()
    assert matter.support_count == 1 == Support.objects.count()
    assert Support.objects.get().channel == "whatsapp"


@pytest.mark.parametrize(("setup", "who", "code", "status"), [
    ({"kind": "suggestion", "public": False}, "thabo", "matter_not_public", 409),
    ({"kind": "issue", "public": True}, "thabo", "not_a_suggestion", 409),
    ({"kind": "suggestion"}, "nomsa", "own_matter", 403),
    ({"kind": "suggestion"}, "pieter", "not_ward_resident", 403),
])
def test_support_is_refused(raise_matter, people, setup, who, code, status):
    matter = raise_matter(setup.pop("kind"), **setup)
    with pytest.raises(ImbizoError) as refused:
        matter_support(actor=people[who], matter=matter)
    assert (refused.value.code, refused.value.status) == (code, status)
    assert not Support.objects.exists()


def test_a_closed_suggestion_takes_no_more_support(raise_matter, people):
    matter = matter_close(actor=people["nomsa"], matter=raise_matter("suggestion"))
    with pytest.raises(ImbizoError) as refused:
        matter_support(actor=people["thabo"], matter=matter)
    assert refused.value.code == "matter_closed"


def test_only_residents_support(raise_matter):
    with pytest.raises(ImbizoError) as refused:
        matter_support(actor=system_actor("cli"), matter=raise_matter("suggestion"))
    assert refused.value.status == 403
