"""Emails are HTML with a plain-text alternative: staff Markdown rendered and sanitised in the
HTML, the unsubscribe link matching its header, and in log:// mode one line per email whose
links work as printed."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import pytest

from tests.smtp import html_of, smtp_server, text_of  # noqa: F401  (fixture)
from tests.test_jobs import run_worker
from vocportal.accounts.models import EmailPref
from vocportal.extensions import db
from vocportal.ideas import commenting, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Follow, IdeaStatus
from vocportal.notifications import sending

pytestmark = [
    pytest.mark.usefixtures("embedded_redis_url"),
    pytest.mark.app_config(BASE_URL="http://portal.test"),
]

STAFF_MESSAGE = (
    "This is **planned** for May.\n\n"
    "<script>alert('x')</script>\n\n"
    "[Win a prize](javascript:alert(1)) or see [the roadmap](/roadmap)."
)


@pytest.fixture
def mail(app, smtp_server):  # noqa: F811
    """Point the app at a real local SMTP server; return its inbox."""
    url, inbox = smtp_server
    app.config["MAIL_URL"] = url
    return inbox


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_a_status_update_email_is_text_with_a_sanitised_html_alternative(
    app, new_client, make_user, make_idea, mail
):
    staff = make_user(role="staff")
    voter = make_user(email="voter@example.com", name="Vera <Voter>")
    idea = make_idea(title="Export to <b>CSV</b>")
    support.vote(voter, idea)
    ideas.change_status(staff, idea, IdeaStatus.planned, STAFF_MESSAGE)
    db.session.commit()
    run_worker(app, "notifications")
    message = next(m for m in mail.wait_for(2) if m["To"] == "voter@example.com")

    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]  # clients show the last they can
    text, html = text_of(message), html_of(message)

    # The text part stays readable: the Markdown source, links made absolute.
    assert "This is **planned** for May." in text
    assert "(http://portal.test/roadmap)" in text
    # The HTML renders the Markdown and keeps nothing that could run.
    assert "<strong>planned</strong>" in html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html  # shown as the text it was, not run
    assert not [h for h in hrefs(html) if not h.startswith(("http://", "https://"))]
    assert "http://portal.test/roadmap" in hrefs(html)
    # Names and titles are escaped, not markup.
    assert "Export to &lt;b&gt;CSV&lt;/b&gt;" in html and "Vera &lt;Voter&gt;" in html
    # A button to the update, My activity, and the footer's links.
    assert f"http://portal.test/ideas/{idea.id}#status-" in " ".join(hrefs(html))
    assert "http://portal.test/me/activity" in hrefs(html)
    assert "http://portal.test/notifications/settings" in hrefs(html)
    assert "max-width:600px" in html and "<style" not in html

    # The unsubscribe link of both parts is the List-Unsubscribe header's page, and works.
    header = message["List-Unsubscribe"].strip().strip("<>")
    in_text = re.search(r"Unsubscribe with one click: (\S+)", text).group(1)
    in_html = [h for h in hrefs(html) if "/unsubscribe/" in h]
    assert in_html == [in_text] and header == in_text + "/one-click"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<notification-")
    path = urlsplit(in_html[0]).path
    done = new_client().post(path, page=path)
    assert done.status_code == 200
    db.session.expire_all()
    assert db.session.get(Follow, (idea.id, voter.id)).muted is True


def test_a_digest_email_is_text_with_an_html_alternative(app, make_user, make_idea, mail):
    staff = make_user(role="staff")
    reader = make_user(email="reader@example.com")
    reader.email_pref = EmailPref.digest
    idea = make_idea(title="Dark mode")
    support.vote(reader, idea)
    ideas.change_status(staff, idea, IdeaStatus.planned, "Coming **soon**.")
    commenting.add_comment(staff, idea, "Would `auto` follow the system?")
    db.session.commit()
    run_worker(app, "notifications")
    assert sending.send_digests() == 1
    db.session.commit()
    digest = next(m for m in mail.wait_for(3) if m["To"] == "reader@example.com")

    assert digest.get_content_type() == "multipart/alternative"
    text, html = text_of(digest), html_of(digest)
    assert "Coming **soon**." in text and "/me/activity" in text
    assert "<strong>soon</strong>" in html and "<code" in html and ">auto</code>" in html
    assert html.count(f"http://portal.test/ideas/{idea.id}#") == 2  # one link per update
    header = digest["List-Unsubscribe"].strip().strip("<>")
    assert [h for h in hrefs(html) if "/unsubscribe/" in h] == [header.removesuffix("/one-click")]


def test_a_password_reset_email_is_text_with_an_html_alternative(app, client, make_user, mail):
    make_user(email="forgetful@example.com")
    db.session.commit()
    assert client.post("/password/forgot", {"email": "forgetful@example.com"}).status_code == 302
    run_worker(app, "notifications")
    (message,) = mail.wait_for(1)
    assert message.get_content_type() == "multipart/alternative"
    link = re.search(r"http://portal\.test/password/reset/\S+", text_of(message)).group(0)
    assert link in hrefs(html_of(message))  # the button and the address below it


def test_log_mode_prints_one_line_per_email_with_a_reset_link_that_works(
    app, client, make_user, caplog
):
    app.config["MAIL_URL"] = "log://"
    make_user(email="ann@example.com", password="old phrase that works")
    db.session.commit()
    assert client.post("/password/forgot", {"email": "ann@example.com"}).status_code == 302
    with caplog.at_level(logging.INFO, logger="vocportal.mail"):
        run_worker(app, "notifications")
    lines = [r.getMessage() for r in caplog.records if r.name == "vocportal.mail"]
    assert len(lines) == 1 and "\n" not in lines[0]
    portal = app.config["PORTAL_NAME"]
    match = re.fullmatch(
        rf'email to ann@example\.com: "Reset your {re.escape(portal)} password" links: (\S+)',
        lines[0],
    )
    assert match, lines[0]

    # The link as printed is the whole link: it opens the reset form and sets the password.
    path = urlsplit(match.group(1)).path
    assert path.startswith("/password/reset/")
    page = client.get(path)
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
    done = client.post(
        path, {"password": "new phrase here", "confirm": "new phrase here"}, page=path
    )
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    client.login("ann@example.com", "new phrase here")
