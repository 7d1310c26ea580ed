"""The citizen site's News pages (web/news.py)."""

from django.urls import path

from . import news

urlpatterns: list = [
    path("news", news.news, name="news"),
    path("news/<int:pk>", news.news_item, name="news_item"),
    path("news/groups/<int:pk>/join", news.group_join, name="news_group_join"),
    path("news/groups/<int:pk>/leave", news.group_leave, name="news_group_leave"),
]
