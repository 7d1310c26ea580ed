"""GeoReport v2 paths: ``<resource>.<format>``, format being xml or json."""

from django.urls import re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>[A-Za-z0-9]+)"

urlpatterns = [
    re_path(r"^discovery$", views.discovery, name="discovery_default"),
    re_path(rf"^discovery{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}$", views.services, name="services"),
    re_path(rf"^services/(?P<service_code>[^/]+?){FMT}$", views.service_definition,
            name="service"),
    re_path(rf"^requests{FMT}$", views.requests, name="requests"),
    re_path(rf"^requests/(?P<service_request_id>[^/]+?){FMT}$", views.request_detail,
            name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){FMT}$", views.token, name="token"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
