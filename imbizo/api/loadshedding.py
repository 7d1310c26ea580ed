"""API v1: Load-shedding (docs/loadshedding.md)."""

from ninja import Router

router = Router(tags=["loadshedding"])
