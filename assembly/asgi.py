"""ASGI entry point: HTTP to Django, websockets through session auth, background work (lifespan)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assembly.settings")
django.setup(set_prefix=False)

from assembly.handler import ThreadKeepingASGIHandler  # noqa: E402

django_asgi_app = ThreadKeepingASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from assembly.lifespan import Lifespan  # noqa: E402
from assembly.mail import start_email_sender, stop_email_sender  # noqa: E402
from assembly.origins import SameOriginValidator  # noqa: E402
from assembly.routing import websocket_urlpatterns  # noqa: E402
from badges.services import start_badge_renderer, stop_badge_rendering  # noqa: E402
from registration.imports import stop_imports  # noqa: E402
from voting.closer import start_poll_closer, stop_poll_closer  # noqa: E402

protocols = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
# Background work that belongs to a running server: scheduled poll closes, the night's end of
# presence, the email queue and the badge renderer (which starts Pango before any request can
# draw); on the way out, badge batches end, imports stop after their current part (confirmed
# again, they go on), and the queue keeps what the sender has not sent yet.
application = Lifespan(
    protocols,
    startup=[start_badge_renderer, start_poll_closer, start_email_sender],
    shutdown=[stop_badge_rendering, stop_imports, stop_poll_closer, stop_email_sender],
)
