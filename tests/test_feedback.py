"""Feedback from every channel: contacts, CSV (command and upload), inbound email, the
widget's CORS rules, linking to ideas (and the customer without an account hearing the
outcome by email), weighted demand and segments, customer memory, exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from tests.smtp import smtp_server, text_of  # noqa: F401  (fixture)
from tests.test_jobs import run_worker
from vocportal.accounts import operations as accounts
from vocportal.accounts.models import User
from vocportal.cli import cli
from vocportal.companies.models import Company
from vocportal.customers import operations as customers
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackItem, FeedbackSource
from vocportal.ideas import operations as ideas
from vocportal.ideas import support
from vocportal.ideas.models import Follow, IdeaStatus
from vocportal.queue.models import JobRecord, JobState

pytestmark = pytest.mark.usefixtures("embedded_redis_url")

CSV_TEXT = (
    "id,text,email,name,company,received_at,plan_hint\n"
    "r1,Please add SSO with Okta,ann@acme.example.com,Ann,Acme,2026-10-01T09:00:00Z,enterprise\n"
    "r2,,bob@acme.example.com,Bob,Acme,,\n"  # line 3: no text
    "r3,Export to Excel,not-an-email,Cy,,,\n"  # line 4: bad email
    "r4,Dark mode at night,dee@beta.example.com,Dee,Beta,2026-10-02,\n"
    "r5,Offline mode,eve@beta.example.com,Eve,Beta,yesterday,\n"  # line 6: bad date
)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_feedback_creates_a_contact_that_cannot_log_in_but_can_claim_the_account(app):
    item, created = feedback.create_feedback(
        text="Need SAML", source=FeedbackSource.api, email="New.Person@Example.com", name="Nia"
    )
    db.session.commit()
    assert created and item.author.email == "new.person@example.com"
    contact = item.author
    assert contact.is_contact and accounts.authenticate(contact.email, "") is None
    again, created = feedback.create_feedback(
        text="Need SAML", source=FeedbackSource.api, email="new.person@example.com"
    )
    assert not created and again.id == item.id  # same person and words: the same item
    # Signing up with that email claims the contact, with its history.
    user = accounts.create_user("new.person@example.com", "Nia N", "correct horse battery")
    db.session.commit()
    assert user.id == contact.id and not user.is_contact
    assert accounts.authenticate("new.person@example.com", "correct horse battery") is not None
    with pytest.raises(OperationError, match="already exists"):
        accounts.create_user("new.person@example.com", "Other", "correct horse battery")
    db.session.rollback()


def test_csv_import_command_reports_bad_lines_imports_the_rest_and_is_idempotent(app, tmp_path):
    path = tmp_path / "feedback.csv"
    path.write_text(CSV_TEXT)
    runner = app.test_cli_runner()
    result = runner.invoke(cli, args=["import-feedback", str(path)])
    assert result.exit_code == 1  # some rows were rejected
    assert "line 3: Feedback needs some text." in result.output
    assert "line 4: Not a valid email address" in result.output
    assert "line 6: received_at 'yesterday' is not an ISO 8601 date" in result.output
    assert "2 imported, 0 already there, 3 rejected" in result.output
    assert count(FeedbackItem) == 2
    sso = db.session.scalar(select(FeedbackItem).where(FeedbackItem.external_id == "r1"))
    assert sso.received_at == datetime(2026, 10, 1, 9, 0)
    assert sso.payload == {"plan_hint": "enterprise"}
    assert db.session.get(Company, sso.company_id).name == "Acme"
    assert sso.author.company_id == sso.company_id
    # The same file again: nothing new.
    again = runner.invoke(cli, args=["import-feedback", str(path)])
    assert "0 imported, 2 already there, 3 rejected" in again.output
    assert count(FeedbackItem) == 2


def test_staff_upload_imports_in_a_job(app, client, make_user):
    staff = make_user(role="staff")
    client.login(staff.email)
    page = "/staff/feedback"
    bad = client.post(page.replace("feedback", "feedback/import"), {}, page=page)
    assert bad.status_code == 400 and "Choose a CSV file." in bad.get_data(as_text=True)
    response = client.post(
        "/staff/feedback/import",
        {"file": (io.BytesIO(CSV_TEXT.encode()), "feedback.csv")},
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    run_worker(app, "default")
    record = db.session.scalar(select(JobRecord).where(JobRecord.kind == "import feedback CSV"))
    assert record.state is JobState.finished
    assert count(FeedbackItem) == 2
    listing = client.get(page).get_data(as_text=True)
    assert "Please add SSO with Okta" in listing and "Dark mode at night" in listing


@pytest.mark.app_config(INBOUND_EMAIL_SECRET="s3cret-hook")
def test_inbound_email_webhook(app, client):
    body = {
        "sender": "Frank Field <frank@field.example.com>",
        "subject": "Calendar sync",
        "text": "Could shifts show up in Google Calendar?",
        "message_id": "<abc@mail.example.com>",
    }
    assert client.http.post("/hooks/inbound-email", json=body).status_code == 401
    wrong = {"X-Webhook-Secret": "nope"}
    assert client.http.post("/hooks/inbound-email", json=body, headers=wrong).status_code == 401
    ok = {"X-Webhook-Secret": "s3cret-hook"}
    created = client.http.post("/hooks/inbound-email", json=body, headers=ok)
    assert created.status_code == 201
    item = db.session.get(FeedbackItem, created.get_json()["id"])
    assert item.source is FeedbackSource.email and item.author.display_name == "Frank Field"
    assert item.text == "Calendar sync\n\nCould shifts show up in Google Calendar?"
    assert item.payload["subject"] == "Calendar sync"
    resent = client.http.post("/hooks/inbound-email", json=body, headers=ok)
    assert resent.status_code == 200 and resent.get_json() == {"id": item.id, "created": False}
    bad = client.http.post("/hooks/inbound-email", json={**body, "sender": "nobody"}, headers=ok)
    assert bad.status_code == 422 and bad.get_json()["field"] == "email"
    assert client.http.post("/hooks/inbound-email", data="x", headers=ok).status_code == 400


@pytest.mark.app_config(WIDGET_ALLOWED_ORIGINS=["https://app.example.com"])
def test_widget_cors_and_csrf_rules(app, client):
    origin = {"Origin": "https://app.example.com"}
    preflight = client.http.open(
        "/widget/feedback",
        method="OPTIONS",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    body = {
        "text": "Love it, but need CSV",
        "email": "gus@app.example.com",
        "page": "https://app.example.com/x",
    }
    posted = client.http.post("/widget/feedback", json=body, headers=origin)
    assert posted.status_code == 201
    assert posted.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Set-Cookie" not in posted.headers
    item = db.session.get(FeedbackItem, posted.get_json()["id"])
    assert (
        item.source is FeedbackSource.widget and item.payload["page"] == "https://app.example.com/x"
    )
    # Another site may not post; a form post (no JSON, the CSRF shape) is refused.
    evil = {"Origin": "https://evil.example.net"}
    assert client.http.post("/widget/feedback", json=body, headers=evil).status_code == 403
    assert client.http.open("/widget/feedback", method="OPTIONS", headers=evil).status_code == 403
    form_post = client.post(
        "/widget/feedback", {"text": "x", "email": "a@b.example.com"}, headers=origin, csrf=False
    )
    assert form_post.status_code == 415
    invalid = client.http.post(
        "/widget/feedback",
        json={"text": "", "email": "gus@app.example.com"},
        headers=origin,
    )
    assert invalid.status_code == 422 and invalid.get_json()["field"] == "text"
    script = client.get("/widget.js")
    assert script.status_code == 200 and b"/widget/feedback" in script.data
    script.close()


def test_linked_feedback_customer_without_account_hears_the_status_update(
    app,
    client,
    make_user,
    make_idea,
    smtp_server,  # noqa: F811
):
    url, inbox = smtp_server
    app.config["MAIL_URL"] = url
    staff = make_user(role="staff")
    idea = make_idea(title="Single sign-on")
    item, _ = feedback.create_feedback(
        text="We need Okta SSO",
        source=FeedbackSource.email,
        email="hana@corp.example.com",
        name="Hana",
        company="Corp",
    )
    db.session.commit()
    client.login(staff.email)
    page = f"/staff/feedback/{item.id}"
    bad = client.post(page, {"idea": "999999"}, page=page)
    assert bad.status_code == 400 and "There is no idea #999999" in bad.get_data(as_text=True)
    assert client.post(page, {"idea": str(idea.id)}, page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(FeedbackItem, item.id).idea_id == idea.id

    ideas.change_status(
        db.session.get(User, staff.id),
        db.session.get(type(idea), idea.id),
        IdeaStatus.shipped,
        "SSO with Okta is live.",
    )
    db.session.commit()
    run_worker(app, "notifications")
    # Hana hears of the link (tests/test_feedback_link_reply.py), then of the outcome.
    to_hana = [m for m in inbox.wait_for(3) if m["To"] == "hana@corp.example.com"]
    [linked] = [m for m in to_hana if "now linked to “Single sign-on”" in m["Subject"]]
    [message] = [m for m in to_hana if m is not linked]
    assert "SSO with Okta is live." in text_of(message)
    link = re.search(r"Unsubscribe with one click: (\S+)", text_of(message)).group(1)
    path = urlsplit(link).path
    anonymous = app.test_client()
    page_html = anonymous.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page_html).group(1)
    assert anonymous.post(path, data={"csrf_token": token}).status_code == 200
    contact = db.session.scalar(select(User).where(User.email == "hana@corp.example.com"))
    db.session.expire_all()
    assert db.session.get(Follow, (idea.id, contact.id)).muted is True

    # Customer memory: the timeline shows what she said and what she was told.
    html = client.get(f"/staff/people/{contact.id}").get_data(as_text=True)
    assert "We need Okta SSO" in html and "now shipped" in html
    assert 'data-testid="email-state"> · email: sent' in html
    assert "Opted out" in html


def test_weighted_demand_segment_filter_and_exports(app, client, make_user, make_idea):
    staff = make_user(role="staff")
    big = customers.save_company(staff, None, name="BigCo", plan="enterprise", monthly_revenue=9000)
    small = customers.save_company(staff, None, name="SmallCo", plan="starter", monthly_revenue=50)
    enterprise = customers.save_segment(staff, None, name="Enterprise", weight=5, plan="enterprise")
    customers.save_segment(staff, None, name="Small", weight=0.5, max_revenue=100, position=1)
    alice, bob, carl = (make_user(email=f"{n}@example.com") for n in ("alice", "bob", "carl"))
    alice.company_id, bob.company_id = big.id, small.id
    sso = make_idea(title="SSO", author=carl)  # carl: no company, weight 1
    dark = make_idea(title="Dark mode", author=bob)
    support.vote(alice, sso)
    extra = [make_user() for _ in range(3)]
    for person in extra:
        support.vote(person, dark)
    linked, _ = feedback.create_feedback(
        text="SSO please",
        source=FeedbackSource.api,
        email="dora@bigco.example.com",
        company="BigCo",
    )
    feedback.link(staff, linked, sso)
    db.session.commit()

    figures = customers.demand([sso.id, dark.id], segment_id=enterprise.id)
    assert (figures[sso.id].supporters, figures[sso.id].weighted) == (3, 1 + 5 + 5)
    assert figures[sso.id].in_segment == 2 and figures[sso.id].companies == 1
    assert (figures[dark.id].supporters, figures[dark.id].weighted) == (4, 0.5 + 3)
    assert figures[dark.id].in_segment == 0

    client.login(staff.email)
    raw = client.get("/staff/demand?weighted=0").get_data(as_text=True)
    assert raw.index("Dark mode") < raw.index(">SSO<")  # 4 people vs 3
    weighted = client.get("/staff/demand?weighted=1").get_data(as_text=True)
    assert weighted.index(">SSO<") < weighted.index("Dark mode")  # 11 vs 3.5
    only = client.get(f"/staff/demand?segment={enterprise.id}").get_data(as_text=True)
    assert ">SSO<" in only and "Dark mode" not in only
    assert client.get("/staff/demand?segment=999999").status_code == 404

    rows = list(
        csv.DictReader(io.StringIO(client.get("/staff/export/ideas.csv").get_data(as_text=True)))
    )
    by_title = {r["title"]: r for r in rows}
    assert by_title["SSO"]["weighted_demand"] == "11.0" and by_title["SSO"]["supporters"] == "3"
    votes = json.loads(client.get("/staff/export/votes.json").get_data(as_text=True))
    assert {v["segment"] for v in votes if v["email"] == "alice@example.com"} == {"Enterprise"}
    items = json.loads(client.get("/staff/export/feedback.json").get_data(as_text=True))
    assert items[0]["weight"] == 5 and items[0]["idea_id"] == sso.id
    assert client.get("/staff/export/secrets.csv").status_code == 404
    only = json.loads(client.get(f"/staff/export/ideas.json?segment={enterprise.id}").data)
    assert [(i["title"], i["supporters_in_Enterprise"]) for i in only] == [("SSO", 2)]
    assert {
        v["email"]
        for v in json.loads(client.get(f"/staff/export/votes.json?segment={enterprise.id}").data)
    } == {"alice@example.com"}
    panel = client.get(f"/ideas/{sso.id}").get_data(as_text=True)
    assert 'data-testid="weighted-demand">11.0<' in panel
    assert "BigCo" in panel and "Enterprise, weight 5.0" in panel and "SSO please" in panel
    # Customers see none of it.
    client.logout()
    client.login(alice.email)
    for path in (
        "/staff/demand",
        "/staff/companies",
        "/staff/segments",
        "/staff/export/ideas.csv",
        f"/staff/people/{bob.id}",
        f"/staff/feedback/{linked.id}",
    ):
        assert client.get(path).status_code == 403, path
    assert "BigCo" not in client.get(f"/ideas/{sso.id}").get_data(as_text=True)


def test_segment_and_company_forms_keep_input_on_errors(app, client, make_user):
    staff = make_user(role="staff")
    client.login(staff.email)
    bad = client.post(
        "/staff/segments",
        {"name": "Whales", "weight": "5", "min_revenue": "900", "max_revenue": "100"},
        page="/staff/segments",
    )
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "lower end must be below" in html and 'value="Whales"' in html
    company = client.post(
        "/staff/companies", {"name": "Acme", "monthly_revenue": "-5"}, page="/staff/companies"
    )
    assert company.status_code == 400 and 'value="Acme"' in company.get_data(as_text=True)
    created = client.post(
        "/staff/companies",
        {"name": "Acme", "plan": "team", "attributes": "region=EMEA\nseats = 40"},
        page="/staff/companies",
    )
    assert created.status_code == 302
    acme = db.session.scalar(select(Company).where(Company.name == "Acme"))
    assert acme.attributes == {"region": "EMEA", "seats": "40"}


def test_bulk_create_reports_each_item_and_dedupes(app, make_user):
    known = make_user(email="known@example.com")
    items = [
        {"text": "SSO please", "email": "known@example.com", "external_id": "a"},
        {"text": "", "email": "x@example.com", "external_id": "b"},
        {"text": "CSV export", "email": "bad", "external_id": "c"},
        {"text": "SSO please (again)", "email": "known@example.com", "external_id": "a"},
        {"text": "Dark mode", "email": "New@Example.com", "name": "Newt", "company": "Zeta"},
    ]
    results = feedback.create_feedback_bulk(items, FeedbackSource.api)
    db.session.commit()
    assert [(r.index, r.created, r.field) for r in results] == [
        (0, True, None),
        (1, False, "text"),
        (2, False, "email"),
        (3, False, None),  # same external id as item 0: stored once
        (4, True, None),
    ]
    assert results[3].id == results[0].id
    first = db.session.get(FeedbackItem, results[0].id)
    assert first.author_id == known.id and first.text == "SSO please"
    newt = db.session.get(FeedbackItem, results[4].id).author
    assert newt.is_contact and newt.email == "new@example.com" and newt.display_name == "Newt"
    assert db.session.get(Company, newt.company_id).name == "Zeta"
    again = feedback.create_feedback_bulk(items, FeedbackSource.api)
    assert [r.created for r in again] == [False] * 5 and again[4].id == results[4].id
    assert count(FeedbackItem) == 2


@pytest.mark.slow
def test_feedback_is_embedded_and_placed_in_themes(app, make_user):
    """The real MiniLM model: feedback gets vectors and joins the nearest theme."""
    import numpy as np

    from tests.test_theme_demand import make_theme
    from vocportal.embeddings.encoder import embed
    from vocportal.themes.models import ThemeItem

    sso, dark = embed(["single sign-on with Okta and SAML", "a dark colour theme for night"])
    sso_theme = make_theme("sso saml okta")
    sso_theme.centroid = np.asarray(sso, dtype="<f4").tobytes()
    dark_theme = make_theme("dark mode theme")
    dark_theme.centroid = np.asarray(dark, dtype="<f4").tobytes()
    feedback.create_feedback_bulk(
        [
            {"text": "We need SAML SSO through Okta before we renew", "email": "a@example.com"},
            {
                "text": "Please add a dark theme, the white screen hurts at night",
                "email": "b@example.com",
            },
        ],
        FeedbackSource.csv,
    )
    db.session.commit()
    run_worker(app, "embeddings")
    placed = dict(
        db.session.execute(
            select(FeedbackItem.text, ThemeItem.theme_id).join(
                ThemeItem,
                (ThemeItem.item_type == "feedback") & (ThemeItem.item_id == FeedbackItem.id),
            )
        ).all()
    )
    assert placed == {
        "We need SAML SSO through Okta before we renew": sso_theme.id,
        "Please add a dark theme, the white screen hurts at night": dark_theme.id,
    }
    db.session.expire_all()
    assert (sso_theme.size, dark_theme.size) == (1, 1)


def test_non_ascii_company_names_are_found_again(app):
    first, _ = feedback.create_feedback(
        text="Bättre export",
        source=FeedbackSource.api,
        email="a@alv.example.com",
        company="Älvsbyhus",
    )
    second = feedback.create_feedback_bulk(
        [{"text": "Mörkt läge", "email": "b@alv.example.com", "company": "Älvsbyhus"}],
        FeedbackSource.csv,
    )
    db.session.commit()
    assert db.session.get(FeedbackItem, second[0].id).company_id == first.company_id
    assert count(Company) == 1


def test_themes_view_weighs_supporters_and_filters_by_segment(app, client, make_user, make_idea):
    from tests.test_theme_demand import make_theme, put
    from vocportal.themes.models import ThemeItem

    staff = make_user(role="staff")
    big = customers.save_company(staff, None, name="BigCo", plan="enterprise")
    enterprise = customers.save_segment(staff, None, name="Enterprise", weight=4, plan="enterprise")
    whale = make_user()
    whale.company_id = big.id
    sso_theme, other = make_theme("sso okta"), make_theme("exports csv", 1)
    put(sso_theme, make_idea(title="SSO", author=whale))  # 1 supporter weighing 4
    put(other, make_idea(title="CSV"), make_idea(title="Excel"))  # 2 supporters weighing 1
    item, _ = feedback.create_feedback(
        text="Okta please",
        source=FeedbackSource.email,
        email="ops@bigco.example.com",
        company="BigCo",
    )
    db.session.add(ThemeItem(item_type="feedback", item_id=item.id, theme_id=sso_theme.id))
    db.session.commit()
    client.login(staff.email)
    html = client.get("/staff/themes/?sort=weighted").get_data(as_text=True)
    assert html.index("sso okta") < html.index("exports csv")  # 8.0 against 2.0
    assert 'data-testid="weighted">8.0<' in html and 'data-testid="weighted">2.0<' in html
    only = client.get(f"/staff/themes/?segment={enterprise.id}").get_data(as_text=True)
    assert "sso okta" in only and "exports csv" not in only
    assert 'data-testid="in-segment">2<' in only
    assert client.get("/staff/themes/?segment=999999").status_code == 404


def test_import_companies_updates_by_crm_id_and_attaches_people(app, tmp_path, make_user):
    known = make_user(email="kim@acme.example.com")
    path = tmp_path / "companies.csv"
    path.write_text(
        "id,name,plan,tier,monthly_revenue,region,people\n"
        "crm-1,Acme,enterprise,gold,12000,EMEA,kim@acme.example.com;lee@acme.example.com\n"
        "crm-2,Beta,team,,lots,,\n"  # line 3: revenue is not a number
        ",,starter,,,,\n"  # line 4: no name
    )
    runner = app.test_cli_runner()
    result = runner.invoke(cli, args=["import-companies", str(path)])
    assert result.exit_code == 1
    assert "line 3: monthly_revenue 'lots' is not a number" in result.output
    assert "line 4: A company needs a name." in result.output
    assert "1 companies created, 0 updated, 2 rejected." in result.output
    acme = db.session.scalar(select(Company).where(Company.external_id == "crm-1"))
    assert (acme.plan, acme.tier, acme.monthly_revenue) == ("enterprise", "gold", 12000.0)
    assert acme.attributes == {"region": "EMEA"}
    db.session.expire_all()
    assert db.session.get(User, known.id).company_id == acme.id
    lee = db.session.scalar(select(User).where(User.email == "lee@acme.example.com"))
    assert lee.is_contact and lee.company_id == acme.id
    path.write_text("id,name,plan\ncrm-1,Acme Corp,enterprise\n")  # renamed in the CRM
    again = runner.invoke(cli, args=["import-companies", str(path)])
    assert "0 companies created, 1 updated, 0 rejected." in again.output
    db.session.expire_all()
    assert db.session.get(Company, acme.id).name == "Acme Corp"
    assert db.session.get(Company, acme.id).attributes == {"region": "EMEA"}
