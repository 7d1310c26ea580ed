"""The staff console's news pages (console/news.py)."""

from django.urls import path

from . import news

urlpatterns: list = [
    path("news", news.news, name="news"),
    path("news/new", news.news_new, name="news_new"),
    path("news/groups", news.group_new, name="news_group_new"),
    path("news/<int:pk>", news.news_item, name="news_item"),
    path("news/<int:pk>/edit", news.news_edit, name="news_edit"),
    path("news/<int:pk>/<slug:action>", news.news_action, name="news_action"),
]
