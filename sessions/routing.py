"""Websocket routes of the sessions app, gathered by assembly/routing.py."""

from django.urls import path

from sessions import consumers

websocket_urlpatterns: list = [
    path("ws/a/<slug:slug>/now/", consumers.NowNextConsumer.as_asgi()),
]
