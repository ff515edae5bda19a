"""Websocket routes of every app, gathered for the ASGI application."""

from django.urls import path

from assembly import consumers

websocket_urlpatterns = [
    path("ws/a/<slug:slug>/", consumers.AssemblyConsumer.as_asgi()),
]
