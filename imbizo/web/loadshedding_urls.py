"""The citizen site's Load-shedding pages (web/loadshedding.py)."""

from django.urls import path

from . import loadshedding

urlpatterns: list = [
    path("loadshedding", loadshedding.find, name="loadshedding"),
    path("loadshedding/areas/<str:key>", loadshedding.area, name="loadshedding_area"),
    path("loadshedding/areas/<str:key>/follow", loadshedding.area_follow,
         name="loadshedding_follow"),
    path("loadshedding/areas/<str:key>/unfollow", loadshedding.area_unfollow,
         name="loadshedding_unfollow"),
    path("loadshedding/alerts", loadshedding.alerts, name="loadshedding_alerts"),
]
