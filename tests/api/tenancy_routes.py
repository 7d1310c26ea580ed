"""Every route of the API v1, Open311 and the site, and what each caller may do there.

``routes_enumerated()`` (tenancy_rules.py) reads the routes from the running code.
``ROUTES`` maps each of them to how to call it (paths filled from the world:
``{A.public.reference}`` is the public case of AAA, the caller's own municipality when the
caller is of AAA) and what each caller class gets; the community routes are in
tenancy_routes_community.py. A route added without an entry fails
test_the_table_covers_every_route, naming it.
"""

from datetime import timedelta

from django.utils import timezone

from imbizo.accounts.models import Role

from .tenancy_routes_community import COMMUNITY_ROUTES
from .tenancy_rules import (
    ACCOUNT,
    ANY,
    CASE,
    CONTRACTS,
    HERE,
    MY_ACCOUNT,
    NEW_CASE,
    NO_PAYMENT,
    OPEN311,
    OPEN311_NEW,
    PUSH,
    REPORTER,
    REVENUE,
    WINDOW,
    Call,
    _case_detail,
    _open311_detail,
    _open311_each_format,
    _shows_nearby,
    _shows_public,
    answers_for,
    anyone,
    change,
    console,
    console_landing,
    found_by,
    guarded,
    imports_accounts,
    is_contractor_of_the_order,
    logs,
    not_found,
    open311_post,
    read,
    revenue_of_aaa,
    sees_accounts,
    sees_case,
    sees_resident,
    sees_the_order,
    signed_in,
    works,
    works_the_order,
)
from .tenancy_world import (
    AAA,
    ERASES_RESIDENTS,
    EXPORTS_RESIDENTS,
    LOGS_CASES,
    NEIGHBOURS,
    READS_ANALYTICS,
    VIEWS_CASES,
    photo_bytes,
)

ROUTES: dict[tuple[str, str], list[Call]] = {
    **COMMUNITY_ROUTES,
    # --- API v1 -------------------------------------------------------------------------
    ("GET", "/api/v1/health"): [Call("GET", "/api/v1/health", anyone, register=True)],
    ("GET", "/api/v1/geo/locate"): [
        Call("GET", "/api/v1/geo/locate", anyone, query=HERE, register=True)],
    ("GET", "/api/v1/categories"): [
        Call("GET", "/api/v1/categories", anyone, query={"municipality": AAA}, register=True)],
    ("POST", "/api/v1/cases"): [
        Call("POST", "/api/v1/cases", guarded(logs), body=lambda w: NEW_CASE, writes=True)],
    ("GET", "/api/v1/cases"): [
        Call("GET", "/api/v1/cases", signed_in, shows=_shows_public)],
    ("GET", "/api/v1/cases/duplicates"): [
        Call("GET", "/api/v1/cases/duplicates", signed_in, variant=category,
             query={"category": category, "municipality": AAA, **HERE},
             shows=_shows_nearby if category == "pothole" else None)
        for category in ("pothole", "illegal-connection", "graffiti")],
    ("GET", CASE): [_case_detail(v) for v in ("public", "private", "hidden")],
    ("POST", CASE + "/transition"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/transition", change(works),
             body=lambda w: {"action": "start"}, writes=True)],
    ("POST", CASE + "/comments"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/comments", change(logs),
             body=lambda w: {"text": "Crew on the way", "public": False}, writes=True)],
    ("POST", CASE + "/assign"): [
        # Supervisors assign; the call centre (who log cases) corrects the routing.
        Call("POST", "/api/v1/cases/{A.public.reference}/assign", change(logs),
             body=lambda w: {"department": "roads"}, writes=True)],
    ("POST", CASE + "/merge"): [
        Call("POST", "/api/v1/cases/{A.second.reference}/merge", change(works),
             body=lambda w: {"into": w.A.public.reference}, writes=True)],
    ("POST", CASE + "/attachments"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/attachments", change(logs),
             body=lambda w: {"file": photo_bytes("green")}, kind="multipart", writes=True)],
    ("POST", CASE + "/workorders"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/workorders", change(works),
             body=lambda w: {"contractor": w.A.contractor.pk, "scope": "Patch it",
                             "due": str(timezone.localdate() + timedelta(days=3))},
             writes=True)],
    ("GET", "/api/v1/contractors"): [
        Call("GET", "/api/v1/contractors", guarded(works), query={"municipality": AAA})],
    ("GET", "/api/v1/workorders/{order_id}"): [
        Call("GET", "/api/v1/workorders/{A.work_order.pk}", read(sees_the_order))],
    ("POST", "/api/v1/workorders/{order_id}/photos"): [
        Call("POST", "/api/v1/workorders/{A.work_order.pk}/photos",
             change(works_the_order, sees_the_order),
             body=lambda w: {"file": photo_bytes("purple")}, kind="multipart", writes=True)],
    # A key or staff member who logs cases acts for the resident named by phone.
    ("POST", CASE + "/join"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/join", change(logs),
             body=lambda w: {"phone": NEIGHBOURS[AAA][0]}, writes=True)],
    ("POST", CASE + "/confirm"): [
        Call("POST", "/api/v1/cases/{A.resolved.reference}/confirm", change(logs),
             body=lambda w: REPORTER, writes=True)],
    ("POST", CASE + "/reopen"): [
        Call("POST", "/api/v1/cases/{A.resolved.reference}/reopen", change(logs),
             body=lambda w: {**REPORTER, "reason": "Still there"}, writes=True)],
    ("POST", CASE + "/rate"): [
        Call("POST", "/api/v1/cases/{A.closed.reference}/rate", change(logs),
             body=lambda w: {**REPORTER, "rating": 4}, writes=True)],
    ("POST", CASE + "/cancel"): [
        Call("POST", "/api/v1/cases/{A.public.reference}/cancel", change(logs),
             body=lambda w: {**REPORTER, "note": "Fixed it myself"}, writes=True)],
    ("GET", "/api/v1/workorders"): [
        Call("GET", "/api/v1/workorders", signed_in,
             shows=lambda c, w: {w.A.public.reference}
             if sees_case(c) or is_contractor_of_the_order(c) else set())],
    ("POST", "/api/v1/workorders/{order_id}"): [
        Call("POST", "/api/v1/workorders/{A.work_order.pk}",
             change(lambda c: works(c) or is_contractor_of_the_order(c),
                    lambda c: sees_case(c) or is_contractor_of_the_order(c)),
             body=lambda w: {"action": "note", "note": "Cones placed"}, writes=True)],
    ("GET", "/api/v1/sla/compliance"): [
        Call("GET", "/api/v1/sla/compliance", guarded(lambda c: c.holds(READS_ANALYTICS)),
             query=WINDOW)],
    ("GET", "/api/v1/citizens/{uuid}/export"): [
        Call("GET", "/api/v1/citizens/{A.resident.uuid}/export",
             change(lambda c: c.holds(EXPORTS_RESIDENTS), sees_resident),
             shows=lambda c, w: {w.A.resident.phone} if c.holds(EXPORTS_RESIDENTS) else set())],
    ("POST", "/api/v1/citizens/{uuid}/erase"): [
        Call("POST", "/api/v1/citizens/{A.resident.uuid}/erase",
             change(lambda c: c.holds(ERASES_RESIDENTS), sees_resident), writes=True)],
    # Utility accounts: the billing system's key (a manager's) pushes into its own
    # municipality; billing.view reads them, in its own municipality only.
    ("POST", "/api/v1/billing/accounts"): [
        Call("POST", "/api/v1/billing/accounts", guarded(imports_accounts),
             body=lambda w: PUSH, writes=True)],
    ("GET", ACCOUNT): [
        Call("GET", "/api/v1/billing/accounts/AAA/{A.account_number}", read(sees_accounts),
             shows=lambda c, w: {w.A.account_number} if sees_accounts(c) else set())],
    ("GET", ACCOUNT + "/statements/{period}"): [
        Call("GET", "/api/v1/billing/accounts/AAA/{A.account_number}/statements/2026-06",
             read(sees_accounts))],
    # --- Open311 GeoReport v2 -----------------------------------------------------------
    (ANY, OPEN311 + "discovery"): [Call("GET", OPEN311 + "discovery", anyone, register=True)],
    (ANY, OPEN311 + "discovery.{fmt}"): _open311_each_format(
        "discovery.{fmt}", anyone, register=True),
    (ANY, OPEN311 + "services.{fmt}"): _open311_each_format(
        "services.{fmt}", anyone, query={"jurisdiction_id": AAA}, register=True),
    (ANY, OPEN311 + "services/{service_code}.{fmt}"): _open311_each_format(
        "services/pothole.{fmt}", anyone, query={"jurisdiction_id": AAA}, register=True),
    (ANY, OPEN311 + "requests.{fmt}"): [
        *_open311_each_format("requests.{fmt}", anyone, query={"jurisdiction_id": AAA},
                              register=True, shows=lambda c, w: {w.A.public.reference}),
        *_open311_each_format("requests.{fmt}", open311_post, method="POST", kind="form",
                              body=lambda w: OPEN311_NEW, writes=True, register=True),
    ],
    (ANY, OPEN311 + "requests/{service_request_id}.{fmt}"): [
        *_open311_detail("public", anyone),
        *_open311_detail("private", not_found),
        *_open311_detail("flipped", not_found),
        *_open311_detail("public", not_found, place="B"),  # asked of AAA: not AAA's
    ],
    (ANY, OPEN311 + "tokens/{token}.{fmt}"): _open311_each_format(
        "tokens/1234.{fmt}", not_found, query={"jurisdiction_id": AAA}, register=True),
    (ANY, OPEN311 + "{path}"): [Call("GET", OPEN311 + "nothing/here", not_found)],
    # --- the site -----------------------------------------------------------------------
    (ANY, "/"): [Call("GET", "/", anyone, register=True, target=None)],
    (ANY, "/api/docs"): [Call("GET", "/api/docs", lambda c: 302)],
    (ANY, "/api/v1/docs"): [Call("GET", "/api/v1/docs", anyone, register=True)],
    (ANY, "/api/v1/openapi.json"): [Call("GET", "/api/v1/openapi.json", anyone, register=True)],
    (ANY, "/api/v1/"): [Call("GET", "/api/v1/", not_found)],
    # Photos: a public case's for anyone, others for whoever may see the case.
    (ANY, "/photos/{key}"): [
        Call("GET", "/photos/{A.photo.uuid}", anyone, "public"),
        Call("GET", "/photos/{A.private_photo.uuid}", found_by(sees_case), "private")],
    (ANY, "/photos/{key}/thumbnail"): [
        Call("GET", "/photos/{A.photo.uuid}/thumbnail", anyone, "public"),
        Call("GET", "/photos/{A.private_photo.uuid}/thumbnail", found_by(sees_case),
             "private")],
    (ANY, "/photos/notes/{key}"): [
        Call("GET", "/photos/notes/{A.note.pk}", found_by(sees_the_order))],
    # Providers' webhooks: each plugin checks its provider's signature, whoever calls;
    # a resident's own words arrive there, never through a staff or API session.
    (ANY, "/channels/{slug}"): [
        Call("GET", "/channels/nowhere", not_found, "unknown"),
        Call("POST", "/channels/whatsapp", lambda c: 401, "unsigned",
             body=lambda w: {"object": "whatsapp_business_account", "entry": []},
             writes=True),
        Call("POST", "/channels/telegram", lambda c: 401, "unsigned",
             body=lambda w: {"update_id": 1, "message": {"text": "hi"}}, writes=True)],
    # The citizen site (tests/web): open to anyone, or asking a resident to sign in first;
    # a case's page shows a public case to anyone and a private one to nobody but its
    # reporter (a resident signed in on the site: tests/web/test_track.py).
    (ANY, "/report"): [Call("GET", "/report", anyone, query={"m": AAA}, target=None)],
    (ANY, "/report/details"): [
        Call("GET", "/report/details", anyone, target=None,
             query={"m": AAA, "category": "pothole", "ward": "1"})],
    (ANY, "/report/done"): [Call("GET", "/report/done", lambda c: 302)],
    (ANY, "/track"): [Call("GET", "/track", anyone, target=None)],
    (ANY, "/representatives"): [
        Call("GET", "/representatives", anyone, query={"m": AAA, "ward": "1"}, register=True)],
    (ANY, "/representatives/pr"): [
        Call("GET", "/representatives/pr", anyone, query={"m": AAA}, register=True)],
    (ANY, "/representatives/photos/{key}"): [  # a sitting representative's, or none
        Call("GET", "/representatives/photos/00000000-0000-4000-8000-000000000000",
             not_found)],
    (ANY, "/track/{reference}"): [
        Call("GET", "/track/{A.public.reference}", anyone, "public", register=True),
        Call("GET", "/track/{A.private.reference}", not_found, "private")],
    (ANY, "/my"): [Call("GET", "/my", lambda c: 302)],
    (ANY, "/signin"): [Call("GET", "/signin", anyone, target=None)],
    (ANY, "/signin/code"): [Call("GET", "/signin/code", lambda c: 302)],
    (ANY, "/signout"): [Call("POST", "/signout", lambda c: 302, kind="form", writes=True)],
    (ANY, "/language"): [Call("POST", "/language", lambda c: 302, kind="form",
                              body=lambda w: {"language": "zu"})],
    # A resident's own pages (tests/web/test_profile.py, test_chat.py): no caller here is
    # a resident signed in on the site, so each is asked to sign in and nothing changes.
    **{(ANY, path): [Call(method, path, lambda c: 302, kind="form", writes=method == "POST")]
       for method, path in (("GET", "/profile"), ("POST", "/profile/channels"),
                            ("POST", "/profile/consent"), ("POST", "/profile/export"),
                            ("GET", "/profile/erase"), ("GET", "/profile/erased"),
                            ("GET", "/chat"))},
    (ANY, "/chat/log"): [Call("GET", "/chat/log", lambda c: 403)],  # the script's poll
    # "My account" (tests/web/test_account*.py): a resident's own accounts only. No caller
    # here is a resident signed in on the site, so each page asks them to sign in and
    # nothing changes; another resident's account is a 404 (test_account_pages.py).
    **{(ANY, template): [Call(method, path, lambda c: 302, kind="form",
                              writes=method == "POST")]
       for method, template, path in (
           ("GET", "/account", "/account"),
           ("GET", "/account/link", "/account/link"),
           ("GET", "/account/link/verify", "/account/link/verify"),
           ("POST", "/account/requests/{link}",
            "/account/requests/00000000-0000-4000-8000-000000000000"),
           ("GET", MY_ACCOUNT, "/account/AAA/{A.account_number}"),
           ("POST", MY_ACCOUNT + "/query", "/account/AAA/{A.account_number}/query"),
           ("POST", MY_ACCOUNT + "/unlink", "/account/AAA/{A.account_number}/unlink"),
           ("GET", MY_ACCOUNT + "/statement/{period}",
            "/account/AAA/{A.account_number}/statement/2026-06"),
           ("GET", MY_ACCOUNT + "/statement/{period}.pdf",
            "/account/AAA/{A.account_number}/statement/2026-06.pdf"),
           ("GET", MY_ACCOUNT + "/arrangement", "/account/AAA/{A.account_number}/arrangement"),
           ("POST", MY_ACCOUNT + "/arrangement/cancel",
            "/account/AAA/{A.account_number}/arrangement/cancel"),
           ("POST", MY_ACCOUNT + "/readings", "/account/AAA/{A.account_number}/readings"))},
    # A statement PDF's signed link (tests/web/test_statement_shared.py): the token is the
    # proof, whoever holds it; a forged one is a 404 to everyone.
    (ANY, "/statement/{token}.pdf"): [Call("GET", "/statement/WzEsMSwiZW4iXQ:forged.pdf",
                                           not_found, target=None)],
    # Paying an account (tests/billing/test_payments_web.py): a resident's own pages, so
    # every caller here is asked to sign in and nothing is started; the return and cancel
    # pages name no payment to anyone but its payer; a provider's notification is
    # verified whoever sends it (unsigned: 400, nothing recorded but the refusal).
    (ANY, "/pay/{municipality}/{account_number}"): [
        Call("GET", "/pay/AAA/{A.account_number}", lambda c: 302),
        Call("POST", "/pay/AAA/{A.account_number}", lambda c: 302, kind="form",
             body=lambda w: {"amount": "100.00"}, writes=True)],
    (ANY, "/pay/return/{key}"): [Call("GET", f"/pay/return/{NO_PAYMENT}", anyone,
                                      target=None)],
    (ANY, "/pay/cancel/{key}"): [Call("GET", f"/pay/cancel/{NO_PAYMENT}", anyone,
                                      target=None)],
    (ANY, "/pay/sandbox/{key}"): [Call("GET", f"/pay/sandbox/{NO_PAYMENT}", not_found)],
    (ANY, "/pay/notify/{provider}"): [
        Call("POST", "/pay/notify/payfast", lambda c: 400, "unsigned", kind="form",
             body=lambda w: {"m_payment_id": NO_PAYMENT, "payment_status": "COMPLETE",
                             "amount_gross": "100.00"}, writes=True, target=None),
        Call("POST", "/pay/notify/nowhere", not_found, "unknown", kind="form",
             writes=True, target=None)],
    # The installable app (tests/web/test_pwa.py, test_offline_report.py): the shell for
    # anyone; a queued report posted empty is refused; push sign-up needs a resident.
    (ANY, "/manifest.webmanifest"): [Call("GET", "/manifest.webmanifest", anyone, target=None)],
    (ANY, "/sw.js"): [Call("GET", "/sw.js", anyone, target=None)],
    (ANY, "/offline"): [Call("GET", "/offline", anyone, target=None)],
    (ANY, "/report/queued"): [Call("POST", "/report/queued", lambda c: 400, kind="form",
                                   target=None)],
    (ANY, "/push/subscribe"): [Call("POST", "/push/subscribe", lambda c: 401, target=None,
                                    body=lambda w: {})],
    (ANY, "/push/unsubscribe"): [Call("POST", "/push/unsubscribe", lambda c: 401,
                                      target=None, body=lambda w: {})],
    # The staff console (tests/console): staff who passed both factors, each seeing what
    # the permission layer lets them; forms are posted empty or to records that do not
    # exist, so that nothing changes.
    (ANY, "/console/login"): [Call("GET", "/console/login", anyone, target=None)],
    (ANY, "/console/enrol"): [Call("GET", "/console/enrol", lambda c: 302)],
    (ANY, "/console/verify"): [Call("GET", "/console/verify", lambda c: 302)],
    (ANY, "/console/logout"): [Call("GET", "/console/logout", lambda c: 405)],
    (ANY, "/console/"): [Call("GET", "/console/", console_landing)],
    (ANY, "/console/cases"): [Call("GET", "/console/cases", console(VIEWS_CASES))],
    (ANY, "/console/cases/assign"): [Call("POST", "/console/cases/assign",
                                          console(VIEWS_CASES, ok=302), kind="form",
                                          writes=True)],
    (ANY, "/console/cases/{reference}"): [
        Call("GET", "/console/cases/{A.public.reference}", console(VIEWS_CASES, sees_case),
             "public"),
        Call("GET", "/console/cases/{A.private.reference}", console(VIEWS_CASES, sees_case),
             "private")],
    (ANY, "/console/cases/{reference}/merge"): [
        Call("POST", "/console/cases/{A.public.reference}/merge",
             console(VIEWS_CASES, sees_case, ok=400), kind="form", writes=True)],
    (ANY, "/console/cases/{reference}/{action}"): [
        Call("POST", "/console/cases/{A.public.reference}/comment-public",
             console(VIEWS_CASES, sees_case, ok=400), kind="form", writes=True,
             body=lambda w: {"text": ""})],
    (ANY, "/console/views"): [Call("POST", "/console/views", console(VIEWS_CASES, ok=302),
                                   kind="form", writes=True)],
    (ANY, "/console/views/{pk}/delete"): [
        Call("POST", "/console/views/999999/delete", console(VIEWS_CASES, ok=302),
             kind="form", writes=True)],  # only one's own: tests/console/test_queue.py
    (ANY, "/console/map"): [Call("GET", "/console/map", console(VIEWS_CASES))],
    (ANY, "/console/map.json"): [Call("GET", "/console/map.json", console(VIEWS_CASES))],
    (ANY, "/console/ward"): [Call("GET", "/console/ward", console({Role.COUNCILLOR}))],
    (ANY, "/console/call"): [Call("GET", "/console/call", console(LOGS_CASES))],
    (ANY, "/console/inbox"): [Call("GET", "/console/inbox", console(LOGS_CASES))],
    (ANY, "/console/inbox/{pk}"): [
        Call("GET", "/console/inbox/{A.handover.pk}", console(LOGS_CASES, answers_for))],
    (ANY, "/console/inbox/{pk}/lines"): [
        Call("GET", "/console/inbox/{A.handover.pk}/lines", console(LOGS_CASES, answers_for))],
    **{(ANY, f"/console/inbox/{{pk}}/{step}"): [
        Call("POST", f"/console/inbox/999999/{step}", console(LOGS_CASES, lambda c: False),
             kind="form", writes=True)] for step in ("take", "reply", "close")},
    (ANY, "/console/work"): [Call("GET", "/console/work", console(CONTRACTS))],
    (ANY, "/console/work/{pk}/{step}"): [
        Call("POST", "/console/work/{A.work_order.pk}/nothing",
             console(CONTRACTS, lambda c: False), kind="form", writes=True)],
    **{(ANY, f"/console/revenue{page}"): [Call("GET", f"/console/revenue{page}",
                                               console(REVENUE))]
       for page in ("", "/accounts", "/arrangements", "/arrangements/waiting", "/readings",
                    "/payments", "/policy", "/campaigns", "/campaigns/new")},
    (ANY, "/console/revenue/accounts/{key}"): [
        Call("GET", "/console/revenue/accounts/{A.account_key}",
             console(REVENUE, revenue_of_aaa))],
    (ANY, "/console/revenue/arrangements/{key}/decide"): [
        Call("POST", f"/console/revenue/arrangements/{NO_PAYMENT}/decide",
             console(REVENUE, lambda c: False), kind="form", writes=True)],
    (ANY, "/console/revenue/readings/{key}/review"): [
        Call("POST", f"/console/revenue/readings/{NO_PAYMENT}/review",
             console(REVENUE, lambda c: False), kind="form", writes=True)],
    (ANY, "/console/revenue/readings/{key}/photo"): [
        Call("GET", f"/console/revenue/readings/{NO_PAYMENT}/photo",
             console(REVENUE, lambda c: False))],
    (ANY, "/console/revenue/campaigns/{pk}"): [
        Call("GET", "/console/revenue/campaigns/999999", console(REVENUE, lambda c: False))],
    # The reporter's feedback page: the signed link is the proof, whoever holds it.
    (ANY, "/r/{token}"): [
        Call("GET", "/r/{A.feedback_token}", anyone, "link", register=True),
        Call("GET", "/r/{A.resolved.pk}.{A.resident.pk}:forged", not_found, "forged"),
        Call("POST", "/r/{A.resolved.pk}.{A.resident.pk}:forged", not_found, "forged",
             body=lambda w: {"action": "reopen", "reason": "Still there"}, kind="form",
             writes=True)],
}

CALLS: list[Call] = [call for calls in ROUTES.values() for call in calls]
