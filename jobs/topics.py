"""The theme refresh: fit BERTopic on every stored embedding and map onto stable themes."""

from __future__ import annotations

from jobs.runtime import task
from vocportal.themes.refit import refit


@task
def refresh_topics(*, progress) -> dict:
    fit = refit(progress=progress)
    return {"fit": fit.id, "themes": fit.n_themes, "message": fit.message}


@task
def detect_theme_alerts(*, progress) -> dict:
    """Flag themes whose last complete week jumped above their baseline (run weekly or daily)."""
    from vocportal.themes import alerts

    new = alerts.detect_alerts()
    return {"alerts": [alert.id for alert in new]}
