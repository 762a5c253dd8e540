"""The feedback widget on another site, in a real browser: a page served from a different
origin includes the portal's script tag; a visitor sends feedback through it (a
cross-origin fetch with a CORS preflight), and it arrives as a widget feedback item."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.test_browser import browser, live_server, open_page  # noqa: F401 (fixtures)
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem, FeedbackSource

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("embedded_redis_url")]


@pytest.fixture
def customer_site(live_server):  # noqa: F811
    """A customer's product page on another origin (localhost, another port)."""
    page = (
        "<!doctype html><html><head><title>Acme app</title></head><body>"
        "<h1>Acme scheduling</h1>"
        f'<script src="{live_server}/widget.js" data-email="ivy@acme.example.com" async></script>'
        "</body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_widget_posts_feedback_cross_origin(app, open_page, customer_site):  # noqa: F811
    page, problems = open_page()
    page.goto(customer_site)
    page.get_by_role("button", name="Feedback").click()
    page.get_by_label("Your feedback").fill("Let managers swap shifts from the phone app.")
    expect(page.get_by_label("Your email")).to_have_value("ivy@acme.example.com")
    page.get_by_label("Your name (optional)").fill("Ivy")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you!")

    db.session.expire_all()
    item = db.session.scalar(select(FeedbackItem))
    assert item.source is FeedbackSource.widget
    assert item.text == "Let managers swap shifts from the phone app."
    assert item.author.email == "ivy@acme.example.com" and item.author.display_name == "Ivy"
    assert item.payload["origin"] == customer_site.rstrip("/")
    assert item.payload["page"] == customer_site
    assert problems.items == []
