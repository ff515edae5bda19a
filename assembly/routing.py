"""Websocket routes of every app, gathered for the ASGI application."""

from django.urls import path, re_path

from assembly import consumers
from badges.routing import websocket_urlpatterns as badges_routes
from sessions.routing import websocket_urlpatterns as agenda_routes
from voting.routing import websocket_urlpatterns as voting_routes

websocket_urlpatterns = [
    path("ws/a/<slug:slug>/", consumers.AssemblyConsumer.as_asgi()),
    *agenda_routes,
    *badges_routes,
    *voting_routes,
    re_path(r"", consumers.Refused.as_asgi(code=4404)),  # last: whatever no route above takes
]
