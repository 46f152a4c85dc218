"""WSGI entry point: `gunicorn smptraining.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smptraining.settings")

application = get_wsgi_application()
