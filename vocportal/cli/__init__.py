"""The `vocportal` console command: Flask's CLI for this app plus one group per area.

The console script builds the CLI; the app factory registers no commands, so `create_app()`
(in the web process, a worker's jobs, the tests) never imports this package, nor through
it `jobs/`. The modules here that run jobs in this process (`workers`, `themes`) are the
only ones that import `jobs/`; .importlinter keeps every other module away from it.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from vocportal import create_app
from vocportal.cli import accounts, demo, imports, themes, workers


@click.group(cls=FlaskGroup, create_app=create_app)
def cli() -> None:
    """Manage the vocportal portal (run `vocportal demo` to try it)."""


for command in (
    accounts.users,
    demo.seed_demo,
    demo.demo,
    workers.worker,
    workers.scheduler,
    workers.redis_server,
    themes.embeddings,
    themes.themes,
    imports.import_feedback,
    imports.import_companies,
):
    cli.add_command(command)


def main() -> None:
    """Run the `vocportal` command."""
    cli()
