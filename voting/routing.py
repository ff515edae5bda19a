"""Websocket routes of the voting app, gathered by assembly/routing.py."""

websocket_urlpatterns: list = []
