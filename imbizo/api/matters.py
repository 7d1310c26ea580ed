"""API v1: Matters (docs/matters.md)."""

from ninja import Router

router = Router(tags=["matters"])
