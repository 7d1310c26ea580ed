from django.urls import path

from . import views

urlpatterns = [
    path("<path:slug>", views.webhook, name="channel_webhook"),
]
