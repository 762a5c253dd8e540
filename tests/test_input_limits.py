"""Malformed input gets a clear 4xx, and what staff save comes back as they saved it:
numbers beyond what a column holds, missing form fields, company attributes, CSV exports
and imports, LIKE wildcards in searches (issue 9, items 2, 3 and 9)."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from redis import Redis
from rq.job import Job
from sqlalchemy import select

from tests.test_jobs import run_worker
from vocportal.accounts.models import User
from vocportal.cli import cli
from vocportal.companies.models import Company
from vocportal.customers import operations as customers
from vocportal.customers.forms import format_attributes, parse_attributes
from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackItem, FeedbackSource
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.queue.models import JobRecord, JobState

HUGE = str(2**64)  # beyond any integer column (and SQLite's 64-bit integers)


class Forms(HTMLParser):
    """The values a browser would send for each POST form of a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._form: dict[str, str] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and a.get("name"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self._form[a["name"]] = a.get("value") or ""
        elif self._form is not None and tag == "textarea":
            self._textarea = a["name"]
            self._form[self._textarea] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_with(html: str, field: str) -> dict[str, str]:
    """What a browser sends for the page's form that has `field`, submitted unchanged
    (textarea lines end in CRLF, as browsers send them)."""
    parser = Forms()
    parser.feed(html)
    (values,) = [f for f in parser.forms if field in f]
    return {k: v.replace("\n", "\r\n") for k, v in values.items()}


@pytest.fixture
def staff_client(client, make_user):
    staff = make_user(role="staff")
    client.login(staff.email)
    return client


# --- integers beyond the columns -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/staff/demand",
        "/staff/themes/",
        "/staff/export/ideas.csv",
        "/staff/export/votes.json",
        "/staff/export/feedback.csv",
    ],
)
def test_segment_argument_beyond_an_integer_column_is_a_404(staff_client, path):
    for value in (HUGE, str(2**31), "-1", f"-{HUGE}", "12abc"):
        response = staff_client.get(f"{path}?segment={value}")
        assert response.status_code == 404, (value, response.status_code)
    # No segment, or 0 (every segment), still works.
    assert staff_client.get(path).status_code == 200
    assert staff_client.get(f"{path}?segment=0").status_code == 200
    assert staff_client.get(f"{path}?segment=").status_code == 200


def test_bulk_status_with_an_id_beyond_an_integer_column_is_a_form_error(staff_client, make_idea):
    idea = make_idea()
    for bad in (HUGE, str(2**31), f"-{HUGE}"):
        response = staff_client.post(
            "/staff/bulk-status",
            {"ideas": [str(idea.id), bad], "status": "planned"},
            page="/staff/inbox",
        )
        assert response.status_code == 400, bad
        assert "could not be coerced" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status is not IdeaStatus.planned


# --- company attributes ----------------------------------------------------------------------

TRICKY = {
    "region": "EMEA",
    "formula": "a=b=c",
    "key with = sign": "x",
    "padded": "  spaces at both ends  ",
    "two lines": "first\nsecond",
    '"quoted"': '"also quoted"',
    "unicode": "Zoë – 東京",
    "empty": "",
}


def test_attribute_text_reads_back_as_the_same_attributes():
    assert parse_attributes(format_attributes(TRICKY)) == TRICKY
    assert parse_attributes(format_attributes({})) == {}
    # What people type still reads as before.
    assert parse_attributes("plan = gold\r\nnot a pair\n seats=40 ") == {
        "plan": "gold",
        "seats": "40",
    }


def test_saving_a_company_unchanged_keeps_its_attributes(staff_client):
    company = customers.save_company(None, None, name="Acme", plan="pro", attributes=TRICKY)
    db.session.commit()
    page = f"/staff/companies/{company.id}"
    html = staff_client.get(page).get_data(as_text=True)
    values = form_with(html, "attributes")
    assert set(values) >= {"csrf_token", "name", "attributes"}
    saved = staff_client.post(page, values, csrf=False)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    db.session.expire_all()
    company = db.session.get(Company, company.id)
    assert company.attributes == TRICKY
    assert (company.name, company.plan) == ("Acme", "pro")


def test_company_post_missing_a_field_is_not_a_server_error(staff_client):
    company = customers.save_company(None, None, name="Acme", attributes={"region": "EMEA"})
    db.session.commit()
    page = f"/staff/companies/{company.id}"
    # No attributes field at all: the company keeps its attributes.
    response = staff_client.post(page, {"name": "Acme Corp"}, page=page)
    assert response.status_code == 302
    db.session.expire_all()
    company = db.session.get(Company, company.id)
    assert (company.name, company.attributes) == ("Acme Corp", {"region": "EMEA"})
    # A new company with no attributes field has none.
    created = staff_client.post("/staff/companies", {"name": "Beta"}, page="/staff/companies")
    assert created.status_code == 302
    assert db.session.scalar(select(Company).where(Company.name == "Beta")).attributes == {}


def test_segment_revenue_bounds_must_be_finite(staff_client):
    for field in ("min_revenue", "max_revenue"):
        for value in ("inf", "1e400", "nan"):
            response = staff_client.post(
                "/staff/segments",
                {"name": "Odd", "weight": "1", field: value},
                page="/staff/segments",
            )
            assert response.status_code == 400, (field, value)
    assert customers.segments() == []


# --- CSV export ------------------------------------------------------------------------------


def test_csv_export_leaves_empty_cells_empty_and_defuses_formulas(staff_client, make_user):
    feedback.create_feedback(
        text='=HYPERLINK("https://evil.example")',
        source=FeedbackSource.api,
        email="eve@example.com",
    )
    feedback.create_feedback(text="Plain words", source=FeedbackSource.api, email="ann@example.com")
    db.session.commit()
    text = staff_client.get("/staff/export/feedback.csv").get_data(as_text=True)
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["eve@example.com"]["text"] == '\'=HYPERLINK("https://evil.example")'
    assert rows["ann@example.com"]["text"] == "Plain words"
    # No company, no segment, no idea: empty cells, not a lone quote.
    assert rows["ann@example.com"]["segment"] == ""
    assert rows["ann@example.com"]["company_id"] == ""
    assert rows["ann@example.com"]["idea_id"] == ""


# --- admin search ----------------------------------------------------------------------------


def test_admin_user_search_takes_percent_and_underscore_literally(client, make_user):
    admin = make_user(role="admin", email="root@example.com", name="Root")
    make_user(email="a_b@example.com", name="Under Score")
    make_user(email="axb@example.com", name="Ex")
    make_user(email="pct@example.com", name="100% sure")
    make_user(email="pcx@example.com", name="100 sure")
    client.login(admin.email)

    def found(q: str) -> set[str]:
        html = client.get("/admin/users", query_string={"q": q}).get_data(as_text=True)
        emails = {u.email for u in db.session.scalars(select(User))}
        return {e for e in emails if e in html}

    assert found("a_b") == {"a_b@example.com"}
    assert found("100%") == {"pct@example.com"}
    assert found("%") == {"pct@example.com"}
    assert found("_") == {"a_b@example.com"}


# --- CSV import ------------------------------------------------------------------------------

GOOD = "text,email\nFirst row is fine,ann@example.com\n"


def _upload(client, app, data: bytes, filename: str = "feedback.csv") -> tuple[JobRecord, dict]:
    page = "/staff/feedback"
    response = client.post(
        "/staff/feedback/import",
        {"file": (io.BytesIO(data), filename)},
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    run_worker(app, "default")
    db.session.expire_all()
    record = db.session.scalar(select(JobRecord).where(JobRecord.kind == "import feedback CSV"))
    connection = Redis.from_url(app.config["REDIS_URL"])
    result = Job.fetch(record.rq_job_id, connection=connection).return_value()
    connection.close()
    return record, result


def _imports(app) -> list[Path]:
    folder = Path(app.instance_path) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_csv_that_is_not_utf8_is_reported_per_line_and_the_file_removed(app, staff_client):
    before = _imports(app)
    data = (GOOD + "Caf\xe9 au lait,bob@example.com\nLast row fine,cy@example.com\n").encode(
        "latin-1"
    )
    record, result = _upload(staff_client, app, data, "export-from-excel.csv")
    assert record.state is JobState.finished, record.error
    assert result["file"] == "export-from-excel.csv"
    assert result["created"] == 2
    assert [(e["line"], "UTF-8" in e["error"]) for e in result["errors"]] == [(3, True)]
    texts = set(db.session.scalars(select(FeedbackItem.text)))
    assert texts == {"First row is fine", "Last row fine"}
    assert _imports(app) == before


def test_a_csv_with_a_field_over_the_limit_is_reported_and_the_file_removed(app, staff_client):
    before = _imports(app)
    huge = "x" * (130 * 1024)
    data = (GOOD + f'"{huge}",bob@example.com\nafter,cy@example.com\n').encode()
    record, result = _upload(staff_client, app, data)
    assert record.state is JobState.finished, record.error
    assert result["created"] == 1
    (error,) = result["errors"]
    assert error["line"] == 3 and "128 KiB" in error["error"]
    assert _imports(app) == before


def test_a_header_that_is_not_utf8_is_reported_on_line_one(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("t\xe9xt,email\nhello,ann@example.com\n".encode("latin-1"))
    result = app.test_cli_runner().invoke(cli, args=["import-feedback", str(path)])
    assert result.exit_code == 1
    assert "line 1: not UTF-8 text" in result.output
    assert db.session.scalar(select(FeedbackItem)) is None


def test_a_crm_id_another_company_has_is_a_field_error(staff_client):
    """Found by tests/test_fuzz.py: a second company with the same CRM id was a 500."""
    first = customers.save_company(None, None, name="Acme", external_id="crm-1")
    other = customers.save_company(None, None, name="Beta", external_id="crm-2")
    db.session.commit()
    new = staff_client.post(
        "/staff/companies", {"name": "Gamma", "external_id": "crm-1"}, page="/staff/companies"
    )
    assert new.status_code == 400
    assert "Another company (Acme) has this CRM id." in new.get_data(as_text=True)
    assert 'value="Gamma"' in new.get_data(as_text=True)  # the typed text is kept
    page = f"/staff/companies/{other.id}"
    edit = staff_client.post(page, {"name": "Beta", "external_id": " crm-1 "}, page=page)
    assert edit.status_code == 400 and "has this CRM id" in edit.get_data(as_text=True)
    # Saving a company with its own id is fine.
    same = f"/staff/companies/{first.id}"
    assert (
        staff_client.post(same, {"name": "Acme", "external_id": "crm-1"}, page=same).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Company, other.id).external_id == "crm-2"
    assert db.session.scalar(select(db.func.count()).select_from(Company)) == 2
