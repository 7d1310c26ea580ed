"""The citizen site's Load-shedding pages (web/loadshedding.py)."""

from django.urls import path

from . import loadshedding

urlpatterns: list = [
    path("loadshedding", loadshedding.find, name="loadshedding"),
    path("loadshedding/areas/<str:key>", loadshedding.area, name="loadshedding_area"),
]
