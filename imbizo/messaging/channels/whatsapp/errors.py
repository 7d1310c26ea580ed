"""What a Graph API error means for one message, from Meta's error code reference
(developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes).

| code | Meta's title | here |
|---|---|---|
| no answer, HTTP 429, HTTP 5xx, a 200 without a message id | | transient: retried |
| 1, 2 | API unknown / API service (temporary) | transient |
| 4, 80007, 130429 | rate limits (app, account, throughput) | transient |
| 131048, 131056 | spam rate limit / pair rate limit | transient |
| 131000 | Something went wrong (HTTP 500) | transient |
| 131016, 133004 | Service / server temporarily unavailable | transient |
| 0, 190 | AuthException / access token expired | transient (1) |
| 131047 | Re-engagement message (24-hour window closed) | ``ChannelClosed``: the outbox tries SMS |
| 131026 | Message undeliverable | permanent |
| 100, 131009, 131051, 132xxx | invalid parameter, unsupported type, template errors | permanent |
| any other 4xx | | permanent |

(1) Our configuration, not the message: an operator who renews the token loses nothing.
"""

from imbizo.messaging.providers import (
    ChannelClosed,
    PermanentProviderError,
    ProviderError,
    TransientProviderError,
)

from .client import GraphError

TRANSIENT_CODES = frozenset({0, 1, 2, 4, 190, 80007, 130429, 131000, 131016, 131048, 131056,
                             133004})
WINDOW_CLOSED = 131047


def provider_error(error: GraphError) -> ProviderError:
    if error.code == WINDOW_CLOSED:
        return ChannelClosed(str(error))
    if error.status < 400 or error.status == 429 or error.status >= 500:
        return TransientProviderError(str(error))
    if error.code in TRANSIENT_CODES:
        return TransientProviderError(str(error))
    return PermanentProviderError(str(error))
