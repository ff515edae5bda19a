"""ASGI entry point: HTTP to Django, websockets through session auth to the app routes."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assembly.settings")
django.setup(set_prefix=False)

from assembly.handler import ThreadKeepingASGIHandler  # noqa: E402

django_asgi_app = ThreadKeepingASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from assembly.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
