"""The citizen site's addresses (the home page "" is in the root URLconf)."""

from django.urls import path

# chat, profile: web/chat.py, web/profile.py; offline, push, pwa: the installable app
from . import chat, language, offline, profile, push, pwa, report, signin, track

app_name = "web"
urlpatterns = [
    path("report", report.report, name="report"),
    path("report/details", report.details, name="report_details"),
    path("report/done", report.done, name="report_done"),
    path("track", track.track, name="track"),
    path("track/<str:reference>", track.track_case, name="track_case"),
    path("my", track.my_cases, name="my"),
    path("signin", signin.signin, name="signin"),
    path("signin/code", signin.signin_code, name="signin_code"),
    path("signout", signin.signout, name="signout"),
    path("language", language.language_set, name="language"),
    # the resident's profile and POPIA rights, and the web chat (web/profile.py, web/chat.py)
    path("profile", profile.profile, name="profile"),
    path("profile/channels", profile.channel_toggle, name="profile_channel"),
    path("profile/consent", profile.consent, name="profile_consent"),
    path("profile/export", profile.export, name="profile_export"),
    path("profile/erase", profile.erase, name="profile_erase"),
    path("profile/erased", profile.erased, name="erased"),
    path("chat", chat.chat, name="chat"),
    path("chat/log", chat.chat_log, name="chat_log"),
    # The installable app: manifest, service worker (at the root, to control every page),
    # the offline page, reports queued offline, Web Push sign-up.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline", pwa.offline, name="offline"),
    path("report/queued", offline.report_queued, name="report_queued"),
    path("push/subscribe", push.subscribe, name="push_subscribe"),
    path("push/unsubscribe", push.unsubscribe, name="push_unsubscribe"),
]

# "My account" (web/account*.py): its addresses are listed in web/account_urls.py.
from .account_urls import urlpatterns as account_urlpatterns  # noqa: E402

urlpatterns += account_urlpatterns

# Paying a municipal account (web/payments.py). The fixed second segments come before
# ``pay/<municipality>/<number>``, which would otherwise take them.
from . import payments  # noqa: E402

urlpatterns += [
    path("pay/notify/<slug:provider>", payments.pay_notify, name="pay_notify"),
    path("pay/return/<uuid:key>", payments.pay_return, name="pay_return"),
    path("pay/cancel/<uuid:key>", payments.pay_cancel, name="pay_cancel"),
    path("pay/sandbox/<uuid:key>", payments.pay_sandbox, name="pay_sandbox"),
    path("pay/<str:municipality>/<str:account_number>", payments.pay, name="pay"),
]

# Community (docs/representatives.md, loadshedding.md, facilities.md, matters.md, news.md,
# community.md): each part lists its own addresses.
from . import (  # noqa: E402
    community_urls,
    facilities_urls,
    loadshedding_urls,
    matters_urls,
    news_urls,
    representatives_urls,
)

for _part in (representatives_urls, loadshedding_urls, facilities_urls, matters_urls,
              news_urls, community_urls):
    urlpatterns += _part.urlpatterns
