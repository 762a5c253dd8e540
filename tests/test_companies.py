"""Companies found by name for intake and imports: existing ones matched whatever the case,
new ones created once each, however many spellings of a name a batch carries."""

from __future__ import annotations

from sqlalchemy import func, select

from vocportal.companies.models import Company
from vocportal.companies.operations import company_ids, company_named
from vocportal.extensions import db


def test_company_ids_creates_each_new_company_once_and_finds_the_others(app):
    acme = company_named("Acme Corp")
    db.session.commit()
    names = ["ACME corp", "Globex", "globex", "  Globex  ", "Älvsbyhus", "Initech", ""]
    ids = company_ids(names)
    db.session.commit()
    assert ids["acme corp"] == acme.id
    assert ids["globex"] == ids["  globex  "]
    assert set(ids) == {"acme corp", "globex", "  globex  ", "älvsbyhus", "initech"}
    stored = db.session.execute(select(Company.name, Company.id).order_by(Company.id)).all()
    assert [name for name, _ in stored] == ["Acme Corp", "Globex", "Älvsbyhus", "Initech"]
    assert {ids["globex"], ids["älvsbyhus"], ids["initech"]} == {i for _, i in stored[1:]}
    # A second batch finds them all and creates nothing.
    assert company_ids(["initech", "ÄLVSBYHUS", "Älvsbyhus"])["älvsbyhus"] == ids["älvsbyhus"]
    assert db.session.scalar(select(func.count()).select_from(Company)) == 4


def test_import_companies_reports_bytes_that_are_not_utf8_by_line(app, tmp_path):
    from vocportal.cli import cli

    path = tmp_path / "companies.csv"
    path.write_bytes(
        b"name,plan\n"
        b"Acme,enterprise\n"
        b"Caf\xe9 Bleu,team\n"  # Latin-1, not UTF-8: line 3
        b"Globex,starter\n"
    )
    runner = app.test_cli_runner()
    result = runner.invoke(cli, args=["import-companies", str(path)])
    assert result.exit_code == 1, result.output
    assert "line 3: not UTF-8 text" in result.output
    assert "Traceback" not in result.output
    names = set(db.session.scalars(select(Company.name)))
    assert {"Acme", "Globex"} <= names and not any("Caf" in n for n in names)
    path.write_bytes(b"\xff\xfen\x00a\x00m\x00e\x00\n\x00")  # UTF-16: the header is unreadable
    result = runner.invoke(cli, args=["import-companies", str(path)])
    assert result.exit_code == 1 and "line 1: not UTF-8 text" in result.output
