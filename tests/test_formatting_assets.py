"""Template formatting filters (Babel) and fingerprinted static files."""

from __future__ import annotations

import hashlib
import re

import pytest

from vocportal.config import PROJECT_ROOT
from vocportal.formatting import counted, money, number, percent


def test_numbers_money_percentages_and_plurals(app):
    assert money(5431.496620300736) == "$5,431.50"
    assert money(5431.496620300736, whole=True) == "$5,431"
    assert money(None) == "—"
    assert number(1234567.891) == "1,234,568"
    assert number(11, 1) == "11.0"
    assert percent(0.4567) == "46%"
    assert percent(1, 1) == "100.0%"
    assert counted(1, "vote") == "1 vote"
    assert counted(0, "vote") == "0 votes"
    assert counted(1200, "company", "companies") == "1,200 companies"


@pytest.mark.app_config(CURRENCY="EUR")
def test_currency_setting(app):
    assert money(5431.496620300736) == "€5,431.50"


def test_company_revenue_is_money(app, client, make_user):
    from vocportal.customers import operations as customers
    from vocportal.extensions import db

    staff = make_user(role="staff")
    company = customers.save_company(None, None, name="Brightlane", monthly_revenue=5431.4966203)
    db.session.commit()
    client.login(staff.email)
    assert "$5,431.50" in client.get("/staff/companies").get_data(as_text=True)
    assert "$5,431.50 a month" in client.get(f"/staff/companies/{company.id}").get_data(
        as_text=True
    )


def test_static_urls_carry_a_content_hash_and_are_cached_for_a_year(app, client):
    html = client.get("/").get_data(as_text=True)
    url = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]{12}))"', html)
    assert url, "the stylesheet URL has no fingerprint"
    digest = hashlib.sha256((PROJECT_ROOT / "static/css/app.css").read_bytes()).hexdigest()
    assert url.group(2) == digest[:12]

    fingerprinted = client.get(url.group(1))
    fingerprinted.close()  # a file response: let go of the file
    assert fingerprinted.status_code == 200
    assert fingerprinted.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Without the hash, or with a stale one, the file is revalidated as before.
    for plain in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = client.get(plain)
        response.close()
        assert response.status_code == 200
        assert "immutable" not in response.headers["Cache-Control"]


def test_a_logged_out_vote_says_log_in_to_vote(app, client, make_idea):
    idea = make_idea(votes=1)
    html = client.get("/").get_data(as_text=True)
    widget = re.search(rf'<div class="vote" id="vote-{idea.id}">.*?</div>', html, re.S).group(0)
    assert 'title="Log in to vote"' in widget and "Log in to" in widget
    href = re.search(r'href="([^"]+)"', widget).group(1).replace("&amp;", "&")
    assert "why=vote" in href
    login = client.get(href).get_data(as_text=True)
    assert 'data-testid="login-why"' in login and "Log in to vote" in login
