"""The JSON API: tokens, every endpoint with its errors, visibility, limits, the document."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select, text

from vocportal.accounts.models import Role
from vocportal.api import operations as api_ops
from vocportal.api.models import ApiToken
from vocportal.companies.models import Company
from vocportal.extensions import db
from vocportal.feedback.models import FeedbackItem
from vocportal.ideas import commenting
from vocportal.ideas import operations as idea_ops
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.themes.models import Theme, ThemeItem, ThemeStatus

pytestmark = pytest.mark.usefixtures("embedded_redis_url")

API = "/api/v1"


@pytest.fixture
def make_token(app, make_user):
    """A token's secret: `make_token(user, "read")`; a new customer's write token by default."""

    def make(user=None, scope: str = "write", name: str = "script") -> str:
        user = user or make_user()
        _token, secret = api_ops.create_token(user, name, scope)
        db.session.commit()
        return secret

    return make


@pytest.fixture
def api(client):
    """Call the API: `api.get(path, token=secret)`, JSON bodies with `json=`."""

    class Caller:
        def __init__(self, http):
            self.http = http

        def _headers(self, token, headers):
            headers = dict(headers or {})
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            return headers

        def request(self, method, path, token=None, headers=None, **kwargs):
            url = path if path.startswith("/") and path.startswith(API) else API + path
            return self.http.open(
                url, method=method, headers=self._headers(token, headers), **kwargs
            )

        def get(self, path, **kwargs):
            return self.request("GET", path, **kwargs)

        def post(self, path, **kwargs):
            return self.request("POST", path, **kwargs)

        def delete(self, path, **kwargs):
            return self.request("DELETE", path, **kwargs)

    return Caller(client.http)


def error_of(response, status: int) -> dict:
    """The error body, after checking the status and the one error shape."""
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    assert response.is_json, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "message", "fields"}
    assert body["error"]["status"] == status and body["error"]["message"]
    return body["error"]


# --- tokens --------------------------------------------------------------------------------


def test_token_page_shows_the_secret_once_and_stores_only_its_hash(client, make_user):
    user = make_user()
    client.login(user.email)
    page = client.post(
        "/account/tokens", {"name": "CI export", "scope": "read"}, page="/account/tokens"
    )
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    secret = re.search(r'data-testid="token-secret">(vp_[\w-]+)<', html).group(1)
    assert len(secret) > 40

    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[:10] and row.scopes == "read" and row.name == "CI export"
    # No column of any row holds the secret.
    for values in db.session.execute(text("SELECT * FROM api_tokens")).all():
        assert all(secret not in str(v) for v in values)

    again = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in again and row.prefix in again and "CI export" in again


def test_token_form_refuses_bad_input(client, make_user):
    client.login(make_user().email)
    page = client.post("/account/tokens", {"name": "", "scope": "admin"}, page="/account/tokens")
    assert page.status_code == 400
    assert db.session.scalar(select(ApiToken)) is None


def test_revoked_token_stops_working_at_once(client, api, make_user, make_token):
    user = make_user()
    secret = make_token(user, "read")
    assert api.get("/ideas", token=secret).status_code == 200
    client.login(user.email)
    token = db.session.scalar(select(ApiToken))
    response = client.post(f"/account/tokens/{token.id}/revoke", page="/account/tokens")
    assert response.status_code == 302
    error = error_of(api.get("/ideas", token=secret), 401)
    assert "revoked" in error["message"]
    assert "revoked" in client.get("/account/tokens").get_data(as_text=True)


def test_nobody_revokes_another_persons_token(client, make_user, make_token):
    owner = make_user()
    make_token(owner)
    token = db.session.scalar(select(ApiToken))
    client.login(make_user().email)
    assert (
        client.post(f"/account/tokens/{token.id}/revoke", page="/account/tokens").status_code == 404
    )
    db.session.refresh(token)
    assert token.revoked_at is None


def test_token_notes_when_it_was_last_used(api, make_token):
    secret = make_token(scope="read")
    assert db.session.scalar(select(ApiToken)).last_used_at is None
    api.get("/ideas", token=secret)
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).last_used_at is not None


def test_unknown_malformed_and_missing_tokens_are_401(api, make_idea):
    idea = make_idea()
    for headers in (
        {"Authorization": "Bearer vp_not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + "x" * 5000},
    ):
        response = api.get("/ideas", headers=headers)
        error_of(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # No token at all: reads of public data work, writes do not.
    assert api.get("/ideas").status_code == 200
    error_of(api.post(f"/ideas/{idea.id}/vote"), 401)


def test_blocked_users_token_is_401(api, make_user, make_token):
    user = make_user()
    secret = make_token(user)
    user.blocked = True
    db.session.commit()
    error_of(api.get("/ideas", token=secret), 401)


def test_read_only_token_cannot_write(api, make_idea, make_token):
    idea = make_idea()
    secret = make_token(scope="read")
    error = error_of(api.post(f"/ideas/{idea.id}/vote", token=secret), 403)
    assert "read-only" in error["message"]
    db.session.refresh(idea)
    assert idea.vote_count == 1


def test_customer_token_on_staff_endpoints_is_403(api, make_idea, make_token):
    idea = make_idea()
    secret = make_token()
    for method, path, body in (
        ("GET", "/themes", None),
        ("GET", "/themes/1", None),
        ("GET", "/companies", None),
        ("GET", "/companies/1", None),
        ("POST", "/feedback", {"text": "x", "email": "a@example.com"}),
        ("POST", "/feedback/bulk", {"items": [{"text": "x", "email": "a@example.com"}]}),
        ("POST", f"/ideas/{idea.id}/status", {"status": "planned"}),
    ):
        error_of(api.request(method, path, token=secret, json=body), 403)
    db.session.refresh(idea)
    assert idea.status is IdeaStatus.open


def test_a_demoted_staff_members_token_acts_as_a_customer(api, make_user, make_token):
    user = make_user(role="staff")
    secret = make_token(user)
    assert api.get("/companies", token=secret).status_code == 200
    user.role = Role.customer
    db.session.commit()
    error_of(api.get("/companies", token=secret), 403)


def test_session_cookie_alone_never_authenticates_api_writes(client, api, make_user, make_idea):
    idea = make_idea()
    user = make_user()
    client.login(user.email)
    # Without a CSRF token: refused like a forged form.
    refused = client.http.post(f"{API}/ideas/{idea.id}/vote")
    assert error_of(refused, 400)["message"].startswith("The CSRF token")
    # Even with one, cookies do not authenticate the API.
    csrf_token = client.csrf_token("/account/tokens")
    response = client.http.post(f"{API}/ideas/{idea.id}/vote", headers={"X-CSRFToken": csrf_token})
    error_of(response, 401)
    db.session.refresh(idea)
    assert idea.vote_count == 1


def test_session_cookie_does_not_widen_what_api_reads_show(client, api, make_user, make_idea):
    author = make_user()
    idea = make_idea(author=author)
    idea_ops.withdraw_idea(author, idea)
    db.session.commit()
    client.login(author.email)
    # The web shows the author their withdrawn idea; the API without a token does not.
    assert client.get(f"/ideas/{idea.id}").status_code == 200
    error_of(client.http.get(f"{API}/ideas/{idea.id}"), 404)


# --- ideas ---------------------------------------------------------------------------------


def test_list_ideas_anonymously_with_filters_and_sorts(api, make_user, make_idea, make_board):
    board = make_board()
    other = make_board()
    popular = make_idea("Dark mode for the dashboard", board=board, votes=3)
    quiet = make_idea("Export invoices as PDF", board=board)
    elsewhere = make_idea("Slack notifications", board=other)
    idea_ops.change_status(make_user(role="staff"), popular, IdeaStatus.planned)
    db.session.commit()

    everything = api.get("/ideas?sort=top").get_json()
    assert [i["id"] for i in everything["items"]] == [popular.id, elsewhere.id, quiet.id]
    assert everything["next"] is None and everything["page"] == 1

    on_board = api.get(f"/ideas?board={board.slug}&sort=new").get_json()
    assert [i["id"] for i in on_board["items"]] == [quiet.id, popular.id]
    planned = api.get("/ideas?status=planned").get_json()
    assert [i["id"] for i in planned["items"]] == [popular.id]
    found = api.get("/ideas?q=invoice").get_json()
    assert [i["id"] for i in found["items"]] == [quiet.id]

    item = planned["items"][0]
    assert item["title"] == "Dark mode for the dashboard"
    assert item["status"] == "planned" and item["vote_count"] == 4
    assert item["board"] == {"id": board.id, "slug": board.slug, "name": board.name}
    assert item["author"]["display_name"] and item["voted"] is False
    assert item["url"].endswith(f"/ideas/{popular.id}")
    assert item["created_at"].endswith("+00:00")
    assert not {"owner", "triaged_at", "hidden_at"} & set(item)


def test_idea_list_pages_with_next_links(api, make_idea, make_board):
    board = make_board()
    ids = [make_idea(f"Idea number {n}", board=board).id for n in range(5)]
    seen = []
    url = f"/ideas?sort=new&per_page=2&board={board.slug}"
    while url:
        page = api.get(url).get_json()
        assert len(page["items"]) <= 2
        seen += [i["id"] for i in page["items"]]
        url = page["next"]
        if url:
            assert url.startswith(f"{API}/ideas?") and "per_page=2" in url
    assert seen == sorted(ids, reverse=True)


def test_idea_list_refuses_bad_filters(api, make_idea):
    make_idea()
    error = error_of(api.get("/ideas?per_page=1000"), 422)
    assert list(error["fields"]) == ["per_page"]
    assert error_of(api.get("/ideas?status=bogus"), 422)["fields"]["status"]
    assert error_of(api.get("/ideas?board=no-such-board"), 422)["fields"]["board"]
    assert error_of(api.get("/ideas?page=0"), 422)["fields"]["page"]
    assert error_of(api.get("/ideas?q=a%00b"), 422)["fields"]["q"]


def test_get_idea_and_visibility(api, make_user, make_idea, make_token):
    idea = make_idea()
    hidden = make_idea("Something rude")
    staff = make_user(role="staff")
    idea_ops.set_idea_hidden(staff, hidden, True)
    db.session.commit()
    customer_token = make_token()
    staff_token = make_token(staff, "read")

    body = api.get(f"/ideas/{idea.id}").get_json()
    assert body["id"] == idea.id and body["body"] == "We need this monthly."
    assert "<p>We need this monthly.</p>" in body["body_html"]

    error_of(api.get(f"/ideas/{hidden.id}"), 404)
    error_of(api.get(f"/ideas/{hidden.id}", token=customer_token), 404)
    as_staff = api.get(f"/ideas/{hidden.id}", token=staff_token).get_json()
    assert as_staff["hidden_at"] is not None and "owner" in as_staff and "triaged_at" in as_staff
    # Hidden ideas are never listed, even for staff (like the board).
    listed = api.get("/ideas", token=staff_token).get_json()
    assert hidden.id not in [i["id"] for i in listed["items"]]

    error_of(api.get("/ideas/999999"), 404)
    error_of(api.get("/ideas/99999999999999999999999"), 404)


def test_create_idea(api, make_user, make_board, make_token):
    board = make_board()
    user = make_user()
    secret = make_token(user)
    response = api.post(
        "/ideas",
        token=secret,
        json={"board": board.slug, "title": "  Bulk edit tags  ", "body": "Select many, tag once."},
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"{API}/ideas/{body['id']}")
    assert body["title"] == "Bulk edit tags" and body["author"]["id"] == user.id
    assert body["voted"] is True and body["vote_count"] == 1
    idea = db.session.get(Idea, body["id"])
    assert idea.board_id == board.id and idea.author_id == user.id


def test_create_idea_errors(api, make_board, make_token):
    board = make_board()
    archived = make_board(archived=True)
    secret = make_token()
    error = error_of(
        api.post("/ideas", token=secret, json={"board": board.slug, "title": "x"}), 422
    )
    assert error["fields"] == {"title": [error["fields"]["title"][0]]}
    error = error_of(api.post("/ideas", token=secret, json={"title": "Long enough"}), 422)
    assert "board" in error["fields"]
    error = error_of(
        api.post("/ideas", token=secret, json={"board": "nope", "title": "Long enough"}), 422
    )
    assert error["fields"]["board"] == ["No board with this slug."]
    error = error_of(
        api.post("/ideas", token=secret, json={"board": archived.slug, "title": "Long enough"}),
        422,
    )
    assert "no new ideas" in error["fields"]["board"][0]
    # Nothing but the listed fields reaches the idea.
    error = error_of(
        api.post(
            "/ideas",
            token=secret,
            json={"board": board.slug, "title": "Long enough", "status": "shipped", "author_id": 1},
        ),
        422,
    )
    assert set(error["fields"]) == {"status", "author_id"}
    error_of(
        api.post("/ideas", token=secret, json={"board": board.slug, "title": "Nul\x00here"}), 422
    )
    error_of(api.post("/ideas", token=secret, json={"board": board.slug, "title": "y" * 161}), 422)
    bad_json = api.post(
        "/ideas", token=secret, data="{not json", headers={"Content-Type": "application/json"}
    )
    assert error_of(bad_json, 400)["fields"]
    assert db.session.scalar(select(Idea)) is None


# --- votes ---------------------------------------------------------------------------------


def test_vote_and_unvote(api, make_user, make_idea, make_token):
    idea = make_idea()
    user = make_user()
    secret = make_token(user)
    first = api.post(f"/ideas/{idea.id}/vote", token=secret).get_json()
    assert first == {
        "idea_id": idea.id,
        "voted": True,
        "changed": True,
        "vote_count": 2,
        "votes_left": None,  # the board has no vote budget
    }
    again = api.post(f"/ideas/{idea.id}/vote", token=secret).get_json()
    assert again["changed"] is False and again["vote_count"] == 2
    assert api.get(f"/ideas/{idea.id}", token=secret).get_json()["voted"] is True
    back = api.delete(f"/ideas/{idea.id}/vote", token=secret).get_json()
    assert back == {
        "idea_id": idea.id,
        "voted": False,
        "changed": True,
        "vote_count": 1,
        "votes_left": None,
    }
    assert api.delete(f"/ideas/{idea.id}/vote", token=secret).get_json()["changed"] is False


def test_vote_errors(api, make_user, make_idea, make_token):
    staff = make_user(role="staff")
    shipped = make_idea("Shipped already")
    idea_ops.change_status(staff, shipped, IdeaStatus.shipped)
    hidden = make_idea("Hidden one")
    idea_ops.set_idea_hidden(staff, hidden, True)
    db.session.commit()
    secret = make_token()
    assert (
        "takes no votes"
        in error_of(api.post(f"/ideas/{shipped.id}/vote", token=secret), 409)["message"]
    )
    error_of(api.post(f"/ideas/{hidden.id}/vote", token=secret), 404)
    error_of(api.post("/ideas/424242/vote", token=secret), 404)
    error_of(api.request("PUT", f"/ideas/{shipped.id}/vote", token=secret), 405)


# --- comments ------------------------------------------------------------------------------


def test_comments(api, make_user, make_idea, make_token):
    idea = make_idea()
    staff = make_user(role="staff")
    customer_token = make_token()
    staff_token = make_token(staff)

    posted = api.post(
        f"/ideas/{idea.id}/comments", token=customer_token, json={"body": "Yes **please**"}
    )
    assert posted.status_code == 201
    comment = posted.get_json()
    assert comment["body"] == "Yes **please**" and "<strong>please</strong>" in comment["body_html"]
    assert comment["official"] is False and comment["author"]["staff"] is False
    assert "hidden_at" not in comment

    error = error_of(
        api.post(
            f"/ideas/{idea.id}/comments", token=customer_token, json={"body": "x", "official": True}
        ),
        403,
    )
    assert error["fields"] == {}
    official = api.post(
        f"/ideas/{idea.id}/comments",
        token=staff_token,
        json={"body": "On the roadmap.", "official": True},
    ).get_json()
    assert official["official"] is True and official["author"]["staff"] is True

    from vocportal.ideas.models import Comment

    commenting.set_comment_hidden(staff, db.session.get(Comment, comment["id"]), True)
    db.session.commit()
    public = api.get(f"/ideas/{idea.id}/comments").get_json()["items"]
    assert [c["id"] for c in public] == [official["id"]]
    for_staff = api.get(f"/ideas/{idea.id}/comments", token=staff_token).get_json()["items"]
    assert [c["id"] for c in for_staff] == [comment["id"], official["id"]]
    assert for_staff[0]["hidden_at"] is not None

    error_of(api.post(f"/ideas/{idea.id}/comments", token=customer_token, json={"body": ""}), 422)
    error_of(
        api.post(f"/ideas/{idea.id}/comments", token=customer_token, json={"body": "x" * 5001}), 422
    )
    error_of(api.get("/ideas/424242/comments"), 404)
    error_of(api.post(f"/ideas/{idea.id}/comments", json={"body": "anonymous"}), 401)


# --- status updates ------------------------------------------------------------------------


def test_staff_publish_a_status_update(api, make_user, make_idea, make_token):
    idea = make_idea()
    staff = make_user(role="staff")
    secret = make_token(staff)
    response = api.post(
        f"/ideas/{idea.id}/status",
        token=secret,
        json={"status": "planned", "message": "Coming in **May**."},
    )
    assert response.status_code == 201, response.get_json()
    change = response.get_json()
    assert change["old_status"] == "open" and change["new_status"] == "planned"
    assert "<strong>May</strong>" in change["message_html"] and change["actor"]["id"] == staff.id
    db.session.refresh(idea)
    assert idea.status is IdeaStatus.planned

    error = error_of(
        api.post(f"/ideas/{idea.id}/status", token=secret, json={"status": "planned"}), 422
    )
    assert "already has this status" in error["fields"]["status"][0]
    assert error_of(
        api.post(f"/ideas/{idea.id}/status", token=secret, json={"status": "duplicate"}), 422
    )["fields"]["status"]
    assert error_of(
        api.post(f"/ideas/{idea.id}/status", token=secret, json={"status": "done"}), 422
    )["fields"]["status"]
    error_of(api.post("/ideas/424242/status", token=secret, json={"status": "planned"}), 404)
    read_only = make_token(staff, "read")
    error_of(api.post(f"/ideas/{idea.id}/status", token=read_only, json={"status": "open"}), 403)


# --- themes --------------------------------------------------------------------------------


def _theme(label: str, *ideas, status=ThemeStatus.active) -> Theme:
    import numpy as np

    vector = np.zeros(384, dtype="<f4")
    vector[0] = 1.0
    theme = Theme(label=label, top_words=label.split(), centroid=vector.tobytes(), status=status)
    db.session.add(theme)
    db.session.flush()
    for idea in ideas:
        db.session.add(ThemeItem(item_type="idea", item_id=idea.id, theme_id=theme.id))
    theme.size = len(ideas)
    db.session.commit()
    return theme


def test_themes_for_staff(api, make_user, make_idea, make_token):
    big = _theme("export csv", make_idea("Export to CSV", votes=2), make_idea("CSV download"))
    small = _theme("dark mode", make_idea("Dark mode"))
    _theme("gone away", status=ThemeStatus.retired)
    secret = make_token(make_user(role="staff"), "read")

    listed = api.get("/themes", token=secret).get_json()["items"]
    assert [t["id"] for t in listed] == [big.id, small.id]
    first = listed[0]
    assert first["name"] == "export csv" and first["size"] == 2 and first["items"] == 2
    assert first["supporters"] == 4 and first["votes"] == 4
    assert set(first["growth_7d"]) == {"current", "previous"}
    by_votes = api.get("/themes?sort=votes", token=secret).get_json()["items"]
    assert by_votes[0]["id"] == big.id
    error_of(api.get("/themes?sort=alphabetical", token=secret), 422)

    detail = api.get(f"/themes/{big.id}", token=secret).get_json()
    assert detail["id"] == big.id
    assert [i["title"] for i in detail["ideas"]] == ["Export to CSV", "CSV download"]
    error_of(api.get("/themes/424242", token=secret), 404)
    error_of(api.get("/themes"), 401)


# --- companies -----------------------------------------------------------------------------


def test_companies_for_staff(api, make_user, make_token):
    for name in ("Acme", "Globex", "Initech", "Acme Labs"):
        db.session.add(
            Company(name=name, plan="team", monthly_revenue=100.0, attributes={"region": "EU"})
        )
    db.session.commit()
    secret = make_token(make_user(role="staff"), "read")

    page = api.get("/companies?per_page=3", token=secret).get_json()
    assert [c["name"] for c in page["items"]] == ["Acme", "Acme Labs", "Globex"]
    rest = api.get(page["next"], token=secret).get_json()
    assert [c["name"] for c in rest["items"]] == ["Initech"] and rest["next"] is None
    found = api.get("/companies?q=acme", token=secret).get_json()
    assert [c["name"] for c in found["items"]] == ["Acme", "Acme Labs"]
    assert api.get("/companies?q=100%25", token=secret).get_json()["items"] == []

    acme = page["items"][0]
    one = api.get(f"/companies/{acme['id']}", token=secret).get_json()
    assert one == acme and one["attributes"] == {"region": "EU"} and one["plan"] == "team"
    error_of(api.get("/companies/424242", token=secret), 404)


# --- feedback ------------------------------------------------------------------------------


@pytest.fixture
def staff_writer(make_user, make_token):
    return make_token(make_user(role="staff"), "write")


def test_feedback_is_stored_once_per_external_id(api, staff_writer):
    sent = {
        "text": "The export times out on big accounts.",
        "email": "Dana@Example.com",
        "name": "Dana",
        "company": "Acme",
        "source": "support",
        "external_id": "ticket-881",
        "received_at": "2025-03-04T10:00:00+02:00",
        "payload": {"ticket": 881},
    }
    first = api.post("/feedback", token=staff_writer, json=sent)
    assert first.status_code == 201, first.get_json()
    item = first.get_json()
    assert item["source"] == "support" and item["external_id"] == "ticket-881"
    assert item["email"] == "dana@example.com" and item["company_id"] is not None
    assert item["received_at"] == "2025-03-04T08:00:00+00:00"
    again = api.post("/feedback", token=staff_writer, json=sent)
    assert again.status_code == 200 and again.get_json()["id"] == item["id"]
    assert db.session.scalar(select(db.func.count()).select_from(FeedbackItem)) == 1


def test_feedback_errors(api, staff_writer):
    error = error_of(
        api.post("/feedback", token=staff_writer, json={"text": "Hi", "email": "nope"}), 422
    )
    assert list(error["fields"]) == ["email"]
    error = error_of(
        api.post("/feedback", token=staff_writer, json={"email": "a@example.com"}), 422
    )
    assert list(error["fields"]) == ["text"]
    error = error_of(
        api.post(
            "/feedback",
            token=staff_writer,
            json={
                "text": "Hi",
                "email": "a@example.com",
                "received_at": "0001-01-01T00:00:00+05:00",
            },
        ),
        422,
    )
    assert list(error["fields"]) == ["received_at"]
    error_of(
        api.post(
            "/feedback",
            token=staff_writer,
            json={"text": "Hi", "email": "a@example.com", "source": "fax"},
        ),
        422,
    )


def test_feedback_payload_must_be_storable_json(api, staff_writer):
    for raw in (
        '{"text": "Hi", "email": "a@example.com", "payload": {"score": NaN}}',
        '{"text": "Hi", "email": "a@example.com", "payload": {"note": "a\\u0000b"}}',
        '{"text": "Hi", "email": "a@example.com", "payload": {"note": "\\ud800"}}',
        '{"text": "Hi", "email": "a@example.com", "payload": {"big": "%s"}}' % ("x" * 70_000),
    ):
        response = api.post(
            "/feedback", token=staff_writer, data=raw, headers={"Content-Type": "application/json"}
        )
        # The field, or the place inside it (payload.note) where the request guard found
        # text no database can store.
        fields = list(error_of(response, 422)["fields"])
        assert [f.split(".")[0] for f in fields] == ["payload"], raw[:80]
    assert db.session.scalar(select(FeedbackItem)) is None


def test_bulk_feedback_reports_each_item_and_imports_the_rest(api, staff_writer):
    items = [
        {"text": "Love the roadmap", "email": "a@example.com", "external_id": "1"},
        {"email": "b@example.com", "external_id": "2"},  # no text
        {"text": "Need SSO", "email": "not-an-email", "external_id": "3"},
        {
            "text": "Need SSO too",
            "email": "c@example.com",
            "external_id": "4",
            "company": "Initech",
        },
        "not even an object",
    ]
    response = api.post("/feedback/bulk", token=staff_writer, json={"items": items})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["created"], body["existing"], body["failed"]) == (2, 0, 3)
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r["status"] for r in results] == ["created", "error", "error", "created", "error"]
    assert list(results[1]["error"]["fields"]) == ["text"]
    assert list(results[2]["error"]["fields"]) == ["email"]
    assert results[0]["error"] is None and results[0]["id"]
    stored = db.session.scalars(select(FeedbackItem.external_id).order_by(FeedbackItem.id)).all()
    assert stored == ["1", "4"]

    retried = api.post("/feedback/bulk", token=staff_writer, json={"items": items}).get_json()
    assert (retried["created"], retried["existing"], retried["failed"]) == (0, 2, 3)
    assert retried["results"][0]["id"] == results[0]["id"]


def test_bulk_feedback_limits(api, staff_writer):
    too_many = [{"text": f"t{i}", "email": "a@example.com"} for i in range(1001)]
    error = error_of(api.post("/feedback/bulk", token=staff_writer, json={"items": too_many}), 422)
    assert list(error["fields"]) == ["items"]
    error_of(api.post("/feedback/bulk", token=staff_writer, json={"items": []}), 422)


@pytest.mark.app_config(API_MAX_BODY_BYTES=1000)
def test_oversized_bodies_are_413(api, staff_writer):
    error_of(
        api.post(
            "/feedback", token=staff_writer, json={"text": "x" * 2000, "email": "a@example.com"}
        ),
        413,
    )


# --- errors, limits, document --------------------------------------------------------------


def test_unknown_addresses_and_methods_answer_json(api):
    error_of(api.get("/no/such/thing"), 404)
    error_of(api.get(""), 404)
    not_allowed = api.request("PUT", "/ideas")
    error_of(not_allowed, 405)
    assert set(not_allowed.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    # The rest of the portal keeps its pages.
    page = api.http.get("/no/such/page")
    assert page.status_code == 404 and "text/html" in page.content_type


@pytest.mark.app_config(LIMIT_API_ANONYMOUS="2/minute", LIMIT_API="3/minute")
def test_rate_limits_answer_429_json(api, make_token):
    codes = [api.get("/ideas").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    error = error_of(api.get("/ideas"), 429)
    assert "limit" in error["message"]
    # A token has its own, larger allowance.
    secret = make_token(scope="read")
    codes = [api.get("/ideas", token=secret).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # Bad tokens count against the address, not a fresh allowance each.
    error_of(api.get("/ideas", token="vp_guess"), 429)


@pytest.mark.app_config(LIMIT_VOTE="2/minute")
def test_votes_share_the_web_vote_limit_per_token(api, make_idea, make_token):
    idea = make_idea()
    secret = make_token()
    codes = [
        api.post(f"/ideas/{idea.id}/vote", token=secret).status_code,
        api.delete(f"/ideas/{idea.id}/vote", token=secret).status_code,
        api.post(f"/ideas/{idea.id}/vote", token=secret).status_code,
    ]
    assert codes == [200, 200, 429]


def test_openapi_document_is_generated_and_complete(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    operations = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert operations == {
        ("GET", f"{API}/ideas"),
        ("POST", f"{API}/ideas"),
        ("GET", f"{API}/ideas/{{idea_id}}"),
        ("POST", f"{API}/ideas/{{idea_id}}/vote"),
        ("DELETE", f"{API}/ideas/{{idea_id}}/vote"),
        ("GET", f"{API}/ideas/{{idea_id}}/comments"),
        ("POST", f"{API}/ideas/{{idea_id}}/comments"),
        ("POST", f"{API}/ideas/{{idea_id}}/status"),
        ("GET", f"{API}/themes"),
        ("GET", f"{API}/themes/{{theme_id}}"),
        ("GET", f"{API}/companies"),
        ("GET", f"{API}/companies/{{company_id}}"),
        ("POST", f"{API}/feedback"),
        ("POST", f"{API}/feedback/bulk"),
    }
    error_ref = "#/components/schemas/Error"
    assert spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"][
        "schema"
    ] == {"$ref": error_ref}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            assert op["security"][0] == {"bearerAuth": []}, (method, path)
            assert "default" in op["responses"] and "401" in op["responses"], (method, path)
            for code, response in op["responses"].items():
                if "$ref" in response:
                    continue
                schema = response["content"]["application/json"]["schema"]
                assert "$ref" in schema, (method, path, code)


def test_docs_page_renders_the_reference_without_scripts(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "POST /api/v1/feedback/bulk" in html and "GET /api/v1/ideas/{idea_id}" in html
    assert 'id="schema-Idea"' in html and "/api/v1/openapi.json" in html
    csp = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script[^>]*>", html))
    # Nothing is loaded from elsewhere.
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', html)


def test_profile_links_to_tokens_and_footer_to_docs(client, make_user):
    client.login(make_user().email)
    html = client.get("/profile").get_data(as_text=True)
    assert 'href="/account/tokens"' in html and 'href="/api/v1/docs"' in html
