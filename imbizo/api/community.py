"""API v1: Community (docs/community.md)."""

from ninja import Router

router = Router(tags=["community"])
