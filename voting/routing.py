"""Websocket routes of the voting app, gathered by assembly/routing.py."""

from django.urls import path

from voting.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/a/<slug:slug>/room/", RoomConsumer.as_asgi()),
]
