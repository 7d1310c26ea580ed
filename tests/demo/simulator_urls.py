"""The site's URLs with the simulator mounted, as the demo (DEBUG) mounts it."""

from django.urls import include, path

from imbizo.urls import urlpatterns as site

urlpatterns = [*site, path("simulator/", include("imbizo.demo.urls"))]
