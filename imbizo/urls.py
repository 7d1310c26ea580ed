from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from imbizo.api.v1 import api
from imbizo.web import rating, views

admin.site.site_header = "Imbizo administration"
admin.site.site_title = "Imbizo"

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # The documented address of the API's documentation: the current version's.
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("open311/v2/", include("imbizo.open311.urls")),
    path("r/<str:token>", rating.feedback, name="case_feedback"),
    # Before the site's catch-all prefix: a provider's webhook is resolved at once rather
    # than after every pattern of the site has been tried (USSD hops, WhatsApp acks).
    path("channels/", include("imbizo.channels.urls")),
    path("photos/", include("imbizo.api.photos")),
    path("console/", include("imbizo.console.urls")),
    path("", include("imbizo.web.urls")),  # the citizen site (docs/web.md)
]
if settings.SIMULATOR_ENABLED:  # the demo's channel simulator (it signs as the providers do)
    urlpatterns.append(path("simulator/", include("imbizo.demo.urls")))
