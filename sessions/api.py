"""API endpoints of the agenda app, mounted by assembly/api.py under /api/v1/."""

from ninja import Router

router = Router(tags=["agenda"])
