"""API v1: Facilities (docs/facilities.md)."""

from ninja import Router

router = Router(tags=["facilities"])
