"""API endpoints of the badges app, mounted by assembly/api.py under /api/v1/."""

from ninja import Router

router = Router(tags=["badges"])
