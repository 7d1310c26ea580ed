"""The Content-Security-Policy header, built once.

django-csp builds the header afresh for every response, deep copies of the settings
included: a tenth of a millisecond, a third of what the bare health endpoint costs and a
sixth of a WhatsApp acknowledgement (docs/performance.md). The site's policy does not
change while a process runs, so it is built once; a response whose view changes the
policy (django-csp's decorators), a page that asked for a nonce, a report-only policy or
an excluded prefix go through django-csp's own code, unchanged.
"""

import http.client
from functools import cache

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_OWN_POLICY = ("_csp_config", "_csp_update", "_csp_replace")
_DEBUG_PAGES = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


@cache
def site_policy() -> str:
    return build_policy()


@receiver(setting_changed)
def _policy_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        site_policy.cache_clear()


def _plain(request, response) -> bool:
    """True when the response gets exactly the site's policy and nothing else."""
    return not (getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
                or (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get(
                    "EXCLUDE_URL_PREFIXES")
                or getattr(request, "_csp_nonce", None) is not None
                or any(getattr(response, name, None) is not None for name in _OWN_POLICY)
                or (settings.DEBUG and response.status_code in _DEBUG_PAGES))


class CSPMiddleware(BaseCSPMiddleware):
    def process_response(self, request, response):
        if not _plain(request, response):
            return super().process_response(request, response)
        policy = site_policy()
        if policy and HEADER not in response and not getattr(response, "_csp_exempt", False):
            response[HEADER] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
