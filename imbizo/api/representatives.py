"""API v1: Representatives (docs/representatives.md)."""

from ninja import Router

router = Router(tags=["representatives"])
