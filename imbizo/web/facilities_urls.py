"""The citizen site's Facilities pages."""

from django.urls import path

from . import facilities

urlpatterns: list = [
    path("facilities", facilities.nearest, name="facilities"),
]
