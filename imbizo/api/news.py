"""API v1: News (docs/news.md)."""

from ninja import Router

router = Router(tags=["news"])
