"""Rate limits whose values come from configuration (see the LIMIT_* settings)."""

from flask import current_app

from vocportal.extensions import limiter


def post_limit(setting: str):
    """Limit a view's POSTs per client address to the limit named by config `setting`."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])
