"""The JSON API under /api/v1: thin views over the operations the web uses.

Each view checks who calls (a bearer token or nobody), validates its input with a schema,
calls one operation and commits once; flask-smorest turns the schemas and decorators into
the OpenAPI document served at /api/v1/openapi.json. The blueprint and what its views
share are in `api.blueprint`; the views, by resource, in `idea_views` and `staff_views`.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from vocportal.api import idea_views, staff_views  # noqa: F401  (their routes join bp)
from vocportal.api.blueprint import bp
from vocportal.api.errors import ErrorSchema

API_VERSION = "1.0"

__all__ = ["bp", "register_api", "API_VERSION"]


class PortalApi(Api):
    """flask-smorest's Api with the portal's error shape, answering only for the API."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # The API blueprint answers its own errors (vocportal.api.errors); the rest of the
        # portal keeps its HTML error pages.
        pass


def register_api(app: Flask) -> PortalApi:
    """Serve the API on `app` and build its OpenAPI document."""
    api = PortalApi(
        app,
        spec_kwargs={
            "title": f"{app.config['PORTAL_NAME']} API",
            "version": API_VERSION,
            "openapi_version": "3.0.3",
            "info": {
                "description": (
                    "Ideas, votes, comments, status updates, themes, companies and feedback. "
                    "Authenticate with a personal token from your profile "
                    "(`Authorization: Bearer vp_...`). Anonymous callers may read public "
                    "ideas and comments. Errors answer "
                    '`{"error": {"status", "message", "fields"}}`.'
                )
            },
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (`vp_...`), read or read+write scope.",
        },
    )
    api.register_blueprint(bp)
    app.extensions["vocportal_api"] = api
    return api
