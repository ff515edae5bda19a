"""API endpoints of the registration app, mounted by assembly/api.py under /api/v1/."""

from ninja import Router

router = Router(tags=["registration"])
