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
