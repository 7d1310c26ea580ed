"""The citizen site's matters pages (web/matters.py): raise a matter, my matters, a
matter's page and support, and a ward's public list."""

from django.urls import path

from . import matters

urlpatterns: list = [
    path("matters", matters.my_matters, name="my_matters"),
    path("matters/new", matters.matter_new, name="matter_new"),
    path("matters/<str:reference>", matters.matter_page, name="matter"),
    path("matters/<str:reference>/support", matters.matter_support_view, name="matter_support"),
    path("wards/<str:code>/matters", matters.ward_matters, name="ward_matters"),
]
