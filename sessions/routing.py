"""Websocket routes of the sessions app, gathered by assembly/routing.py."""

websocket_urlpatterns: list = []
