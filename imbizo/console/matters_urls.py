"""The staff console's matters pages (console/matters.py)."""

from django.urls import path

from . import matters

urlpatterns: list = [
    path("matters", matters.matter_queue_page, name="matters"),
    path("matters/<str:reference>", matters.matter_page, name="matter"),
    path("matters/<str:reference>/<slug:step>", matters.matter_step, name="matter_step"),
]
