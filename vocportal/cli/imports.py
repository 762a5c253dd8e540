"""`vocportal import-feedback` and `vocportal import-companies`: CSV files from elsewhere."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from vocportal.customers.operations import import_companies as run_import
from vocportal.extensions import db
from vocportal.feedback.importer import import_rows
from vocportal.spreadsheets import open_csv


@click.command("import-feedback")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_feedback(csv_file: str) -> None:
    """Import feedback from CSV_FILE (columns: text, email, and optionally name, company,
    received_at, id). Bad rows are reported by line number; the rest imports; importing the
    same file again adds nothing."""
    with open_csv(csv_file) as file:
        total = max(sum(1 for _ in file) - 1, 0)
        file.seek(0)
        with click.progressbar(length=total, label="Importing feedback") as bar:
            done = 0

            def advance(n: int) -> None:
                nonlocal done
                bar.update(n - done)
                done = n

            report = import_rows(file, progress=advance)
    for line, message in report.errors:
        click.echo(f"line {line}: {message}", err=True)
    click.echo(
        f"{report.created} imported, {report.duplicates} already there, "
        f"{len(report.errors)} rejected; embedding and themes follow in the background."
    )
    if report.errors:
        raise SystemExit(1)


@click.command("import-companies")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_companies(csv_file: str) -> None:
    """Create or update companies from CSV_FILE (columns: name, and optionally plan, tier,
    monthly_revenue, id, people = emails separated by ';'; other columns are attributes)."""
    with open_csv(csv_file) as file:
        created, updated, errors = run_import(file)
    db.session.commit()
    for line, message in errors:
        click.echo(f"line {line}: {message}", err=True)
    click.echo(f"{created} companies created, {updated} updated, {len(errors)} rejected.")
    if errors:
        raise SystemExit(1)
