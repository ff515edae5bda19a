"""WSGI entry point, for serving plain HTTP from threaded WSGI workers at scale."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assembly.settings")
application = get_wsgi_application()
