"""The community routes of the tenancy table (tenancy_routes.py): who represents me,
load-shedding and its alerts, facilities, meetings, the directory and sharing, news, and
matters for the ward councillor; on the API, the site and the console."""

from imbizo.accounts.models import Role

from .tenancy_rules import (
    ANY,
    HERE,
    KEEPS_DIRECTORY,
    NO_PAYMENT,
    ORGANISES,
    PUBLISHES_NEWS,
    Call,
    anyone,
    console,
    guarded,
    logs,
    not_found,
    publishes_news,
    read,
)
from .tenancy_world import (
    AAA,
    NEIGHBOURS,
    RESIDENTS,
)

COMMUNITY_ROUTES: dict[tuple[str, str], list[Call]] = {
    # Representatives (docs/representatives.md): what municipalities publish, for anyone.
    ("GET", "/api/v1/representatives"): [
        Call("GET", "/api/v1/representatives", anyone, query=HERE, register=True)],
    ("GET", "/api/v1/representatives/pr-councillors"): [
        Call("GET", "/api/v1/representatives/pr-councillors", anyone,
             query={"municipality": AAA}, register=True)],
    # Load-shedding (tests/loadshedding): published data, the same for anyone; the world
    # holds no area, so an area's pages are a 404 to everyone.
    ("GET", "/api/v1/loadshedding/schedule"): [
        Call("GET", "/api/v1/loadshedding/schedule", not_found, query={"area": "nowhere"},
             register=True, target=None)],
    ("GET", "/api/v1/loadshedding/areas"): [
        Call("GET", "/api/v1/loadshedding/areas", anyone, query={"q": "Sizwe"},
             register=True, target=None)],
    ("GET", "/api/v1/loadshedding/stage"): [
        Call("GET", "/api/v1/loadshedding/stage", anyone, query={"municipality": AAA},
             register=True)],
    ("GET", "/api/v1/loadshedding/areas/{key}/hours-lost"): [
        Call("GET", "/api/v1/loadshedding/areas/nowhere/hours-lost", not_found, target=None)],
    ("GET", "/api/v1/loadshedding/areas/{key}/calendar.ics"): [
        Call("GET", "/api/v1/loadshedding/areas/nowhere/calendar.ics", not_found,
             target=None)],
    # A resident's alerts take a resident signed in on the site: no caller here is one.
    ("GET", "/api/v1/loadshedding/subscriptions"): [
        Call("GET", "/api/v1/loadshedding/subscriptions", lambda c: 401, target=None)],
    ("PUT", "/api/v1/loadshedding/areas/{key}/subscription"): [
        Call("PUT", "/api/v1/loadshedding/areas/nowhere/subscription", lambda c: 401,
             writes=True, target=None)],
    ("DELETE", "/api/v1/loadshedding/areas/{key}/subscription"): [
        Call("DELETE", "/api/v1/loadshedding/areas/nowhere/subscription", lambda c: 401,
             writes=True, target=None)],
    (ANY, "/loadshedding"): [Call("GET", "/loadshedding", anyone, register=True, target=None)],
    (ANY, "/loadshedding/areas/{key}"): [
        Call("GET", "/loadshedding/areas/nowhere", not_found, target=None)],
    **{(ANY, f"/loadshedding/areas/{{key}}/{step}"): [
        Call("POST", f"/loadshedding/areas/nowhere/{step}", lambda c: 302, kind="form",
             writes=True, target=None)] for step in ("follow", "unfollow")},
    (ANY, "/loadshedding/alerts"): [Call("GET", "/loadshedding/alerts", lambda c: 302,
                                         target=None)],
    # Facilities (tests/facilities): published data, the same for anyone, no key needed.
    ("GET", "/api/v1/facilities/nearest"): [
        Call("GET", "/api/v1/facilities/nearest", anyone, query={**HERE, "kind": "police"},
             register=True, target=None)],
    ("GET", "/api/v1/facilities/kinds"): [
        Call("GET", "/api/v1/facilities/kinds", anyone, register=True, target=None)],
    (ANY, "/facilities"): [Call("GET", "/facilities", anyone, query={"m": AAA}, register=True,
                                target=None)],
    # Meetings, the directory and sharing (tests/community): the lists and the share text
    # are public; the world holds no meeting or form, so their pages are a 404 to everyone
    # who may look. Answering a meeting takes a key or staff session (then the unknown
    # meeting is a 404); on the site no caller is a signed-in resident. In the console,
    # community.manage opens the meetings (councillors too) and, from a membership of the
    # whole municipality, the directory and the share settings.
    ("GET", "/api/v1/meetings"): [
        Call("GET", "/api/v1/meetings", anyone, query={"municipality": AAA}, register=True)],
    ("GET", "/api/v1/meetings/{key}"): [Call("GET", f"/api/v1/meetings/{NO_PAYMENT}",
                                             not_found)],
    ("POST", "/api/v1/meetings/{key}/rsvp"): [
        Call("POST", f"/api/v1/meetings/{NO_PAYMENT}/rsvp", read(lambda c: False),
             body=lambda w: {"phone": NEIGHBOURS[AAA][0], "answer": "yes"}, writes=True)],
    ("GET", "/api/v1/meetings/{key}/numbers"): [
        Call("GET", f"/api/v1/meetings/{NO_PAYMENT}/numbers", read(lambda c: False))],
    ("GET", "/api/v1/directory"): [
        Call("GET", "/api/v1/directory", anyone, query={"municipality": AAA, "q": "water"},
             register=True)],
    ("GET", "/api/v1/share"): [
        Call("GET", "/api/v1/share", anyone, query={"municipality": AAA}, register=True)],
    (ANY, "/meetings"): [Call("GET", "/meetings", anyone, query={"m": AAA}, target=None)],
    (ANY, "/meetings/{key}"): [Call("GET", f"/meetings/{NO_PAYMENT}", not_found)],
    (ANY, "/meetings/{key}/rsvp"): [
        Call("POST", f"/meetings/{NO_PAYMENT}/rsvp", not_found, kind="form",
             body=lambda w: {"answer": "yes"}, writes=True)],
    (ANY, "/directory"): [Call("GET", "/directory", anyone, query={"m": AAA, "q": "water"},
                               target=None)],
    (ANY, "/directory/forms/{key}.pdf"): [Call("GET", f"/directory/forms/{NO_PAYMENT}.pdf",
                                               not_found)],
    (ANY, "/share"): [Call("GET", "/share", anyone, query={"m": AAA}, target=None)],
    (ANY, "/s/{code}"): [Call("GET", "/s/nowhere", not_found)],
    **{(ANY, f"/console/community/meetings{page}"): [
        Call("GET", f"/console/community/meetings{page}", console(ORGANISES))]
       for page in ("", "/new")},
    (ANY, "/console/community/meetings/{key}"): [
        Call("GET", f"/console/community/meetings/{NO_PAYMENT}",
             console(ORGANISES, lambda c: False))],
    (ANY, "/console/community/meetings/{key}/cancel"): [
        Call("POST", f"/console/community/meetings/{NO_PAYMENT}/cancel",
             console(ORGANISES, lambda c: False), kind="form", writes=True)],
    **{(ANY, f"/console/community/{page}"): [
        Call("GET", f"/console/community/{page}", console(KEEPS_DIRECTORY))]
       for page in ("directory", "directory/new", "share")},
    (ANY, "/console/community/directory/{key}"): [
        Call("GET", f"/console/community/directory/{NO_PAYMENT}",
             console(KEEPS_DIRECTORY, lambda c: False))],
    (ANY, "/console/community/directory/{key}/forms"): [
        Call("POST", f"/console/community/directory/{NO_PAYMENT}/forms",
             console(KEEPS_DIRECTORY, lambda c: False), kind="form", writes=True)],
    (ANY, "/console/community/directory/forms/{key}/remove"): [
        Call("POST", f"/console/community/directory/forms/{NO_PAYMENT}/remove",
             console(KEEPS_DIRECTORY, lambda c: False), kind="form", writes=True)],
    # News (tests/news): published news for anyone; staff and keys holding news.publish
    # (the call centre, managers, administrators) compose in their own municipality; the
    # world holds no news item, so an item's pages are a 404 to all who may look. On the
    # site no caller is a signed-in resident, so joining a group asks them to sign in.
    ("GET", "/api/v1/news"): [
        Call("GET", "/api/v1/news", anyone, query={"municipality": AAA}, register=True)],
    ("GET", "/api/v1/news/{news_id}"): [Call("GET", "/api/v1/news/999999", not_found)],
    ("POST", "/api/v1/news"): [
        Call("POST", "/api/v1/news", guarded(publishes_news), writes=True,
             body=lambda w: {"municipality": AAA, "title": "Water off", "kind": "news",
                             "body": "Water off on Tuesday.", "short": "Water off Tue."})],
    **{("POST", f"/api/v1/news/{{news_id}}/{step}"): [
        Call("POST", f"/api/v1/news/999999/{step}", read(lambda c: False), writes=True,
             body=lambda w: {"send_at": "2100-01-01T09:00:00+02:00"})]
       for step in ("publish", "schedule", "cancel")},
    (ANY, "/news"): [Call("GET", "/news", anyone, query={"m": AAA}, target=None)],
    (ANY, "/news/{pk}"): [Call("GET", "/news/999999", not_found)],
    **{(ANY, f"/news/groups/{{pk}}/{step}"): [
        Call("POST", f"/news/groups/999999/{step}", lambda c: 302, kind="form", writes=True)]
       for step in ("join", "leave")},
    **{(ANY, f"/console/news{page}"): [Call("GET", f"/console/news{page}",
                                            console(PUBLISHES_NEWS))]
       for page in ("", "/new")},
    (ANY, "/console/news/groups"): [
        Call("POST", "/console/news/groups", console(PUBLISHES_NEWS, ok=302), kind="form",
             writes=True)],
    **{(ANY, f"/console/news/{{pk}}{page}"): [
        Call("GET", f"/console/news/999999{page}", console(PUBLISHES_NEWS, lambda c: False))]
       for page in ("", "/edit")},
    (ANY, "/console/news/{pk}/{action}"): [
        Call("POST", "/console/news/999999/cancel", console(PUBLISHES_NEWS, lambda c: False),
             kind="form", writes=True)],
    # Matters for the ward councillor (tests/matters): a key or staff member who logs cases
    # in AAA raises one for the resident named by phone; the world holds no matter, so the
    # reference below (well formed) is found by nobody; a ward's open matters are public.
    # On the site no caller is a signed-in resident; in the console matters.view opens the
    # pages (councillors, managers, administrators).
    ("POST", "/api/v1/matters"): [
        Call("POST", "/api/v1/matters", guarded(logs), writes=True,
             body=lambda w: {"phone": RESIDENTS[AAA][0], "kind": "issue", "ward": "90100001",
                             "text": "The streetlights are off"})],
    ("GET", "/api/v1/matters/{reference}"): [
        Call("GET", "/api/v1/matters/AAA-M2601-999-3", read(lambda c: False))],
    ("POST", "/api/v1/matters/{reference}/support"): [
        Call("POST", "/api/v1/matters/AAA-M2601-999-3/support", read(lambda c: False),
             body=lambda w: {"phone": NEIGHBOURS[AAA][0]}, writes=True)],
    ("GET", "/api/v1/wards/{code}/matters"): [
        Call("GET", "/api/v1/wards/90100001/matters", anyone, register=True)],
    (ANY, "/matters"): [Call("GET", "/matters", lambda c: 302)],
    (ANY, "/matters/new"): [Call("GET", "/matters/new", lambda c: 302)],
    (ANY, "/matters/{reference}"): [Call("GET", "/matters/AAA-M2601-999-3", not_found)],
    (ANY, "/matters/{reference}/support"): [
        Call("POST", "/matters/AAA-M2601-999-3/support", lambda c: 302, kind="form",
             writes=True)],
    (ANY, "/wards/{code}/matters"): [
        Call("GET", "/wards/90100001/matters", anyone, register=True)],
    (ANY, "/console/matters"): [
        Call("GET", "/console/matters", console({Role.COUNCILLOR, Role.MANAGER,
                                                 Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN}))],
    (ANY, "/console/matters/{reference}"): [
        Call("GET", "/console/matters/AAA-M2601-999-3",
             console({Role.COUNCILLOR, Role.MANAGER, Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN},
                     lambda c: False))],
    (ANY, "/console/matters/{reference}/{step}"): [
        Call("POST", "/console/matters/AAA-M2601-999-3/answer",
             console({Role.COUNCILLOR, Role.MANAGER, Role.MUNICIPAL_ADMIN, Role.PLATFORM_ADMIN},
                     lambda c: False), kind="form", writes=True, body=lambda w: {"text": "Hi"})],
}
