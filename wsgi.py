"""WSGI entry point: `gunicorn wsgi:app`."""

from vocportal import create_app

app = create_app()
