"""The `vocportal` console command: Flask's CLI for this app (`vocportal db upgrade`, ...)."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from vocportal import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def cli() -> None:
    """Manage the vocportal portal (run `vocportal demo` to try it)."""


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
