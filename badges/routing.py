"""Websocket routes of the badges app, gathered by assembly/routing.py."""

websocket_urlpatterns: list = []
