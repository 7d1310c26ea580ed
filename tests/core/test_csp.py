"""The site's Content-Security-Policy, built once, is exactly the header django-csp builds;
whatever changes the policy for one response still goes through django-csp."""

from csp.constants import HEADER, NONCE
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from imbizo.core.csp import CSPMiddleware

POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'"],
                        "img-src": ["'self'", "data:"]}}


def header(middleware_class, view=lambda request: HttpResponse("ok"), *, nonce=False) -> str:
    request = RequestFactory().get("/")
    middleware = middleware_class(view)
    middleware.process_request(request)
    if nonce:
        str(request.csp_nonce)
    response = middleware.process_response(request, view(request))
    return response.get(HEADER)


@override_settings(CONTENT_SECURITY_POLICY=POLICY)
def test_the_site_policy_is_the_header_django_csp_builds():
    assert header(CSPMiddleware) == header(DjangoCSPMiddleware)
    assert sorted(header(CSPMiddleware).split("; ")) == [
        "default-src 'self'", "img-src 'self' data:", "script-src 'self'"]


def test_a_changed_setting_changes_the_header():
    with override_settings(CONTENT_SECURITY_POLICY=POLICY):
        first = header(CSPMiddleware)
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert header(CSPMiddleware) == "default-src 'none'" != first


@override_settings(CONTENT_SECURITY_POLICY=POLICY)
def test_a_view_that_changes_its_policy_gets_its_own():
    view = csp_update({"img-src": ["https://tile.openstreetmap.org"]})(
        lambda request: HttpResponse("map"))
    assert "https://tile.openstreetmap.org" in header(CSPMiddleware, view)
    assert header(CSPMiddleware, view) == header(DjangoCSPMiddleware, view)


@override_settings(CONTENT_SECURITY_POLICY=POLICY)
def test_an_exempt_view_gets_no_header():
    assert header(CSPMiddleware, csp_exempt()(lambda request: HttpResponse("hook"))) is None


@override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": ["'self'", NONCE]}})
def test_a_page_that_asked_for_a_nonce_gets_it_in_its_header():
    with_nonce = header(CSPMiddleware, nonce=True)
    assert "'nonce-" in with_nonce and "'nonce-" not in header(CSPMiddleware)
