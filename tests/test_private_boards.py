"""Private boards: who may see a board, and the one rule on every surface.

The matrix: for each kind of audience (signed-in customers, a segment, a company, an email
domain, staff only) and each surface that names an idea, a visitor who may see the board
sees its idea, one who may not (and an anonymous reader) does not, and staff always do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from vocportal import audience
from vocportal.accounts.models import User
from vocportal.api import operations as api_ops
from vocportal.changelog import operations as changelog
from vocportal.companies.models import Company, Segment
from vocportal.embeddings import operations as embeddings
from vocportal.embeddings.encoder import MODEL_NAME
from vocportal.embeddings.similar import keyword_ideas, similar_ideas
from vocportal.extensions import db
from vocportal.feedback.operations import contact_for
from vocportal.ideas import board_access, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Board, BoardAudience, Follow, Idea
from vocportal.notifications import delivery, visibility
from vocportal.notifications.models import EventKind, NotificationEvent
from vocportal.themes.models import Theme
from vocportal.themes.reads import representative_quotes

KINDS = ("signed_in", "segment", "company", "domain", "staff")
SECRET = "Quasar ledger reconciliation"
SHIPPED_IN = "Nebula release notes"


@dataclass
class Scene:
    board: Board
    idea: Idea  # on the private board
    public: Idea  # like it, on a board everyone sees
    may: User
    may_not: User  # a contact for "signed_in" (cannot sign in: reads as anonymous)
    staff: User
    event: NotificationEvent
    theme: Theme
    vector: np.ndarray


@pytest.fixture
def build(app, make_user, make_board, make_idea):
    def build(kind: str) -> Scene:
        admin = make_user(role="admin", email="admin@tallyhive.example")
        staff = make_user(role="staff", email="staff@tallyhive.example")
        board, open_board = make_board(name="Ledger vault"), make_board(name="Everything")
        idea = make_idea(title=SECRET, body="Match payouts.", author=admin, board=board)
        public = make_idea(title="Quasar ledger export", author=admin, board=open_board)
        rule: dict = {}
        if kind == "signed_in":
            may = make_user(email="anyone@example.com")
            may_not = contact_for("contact@example.com", "A contact")
            audience_kind = BoardAudience.signed_in
        elif kind in ("segment", "company"):
            big = Company(name="Acme", plan="enterprise", attributes={})
            small = Company(name="Smallco", plan="starter", attributes={})
            segment = Segment(name="Enterprise", plan="enterprise", position=0)
            db.session.add_all([big, small, segment])
            db.session.flush()
            may, may_not = make_user(email="ann@acme.example"), make_user(email="bo@small.example")
            may.company_id, may_not.company_id = big.id, small.id
            by_segment = kind == "segment"
            rule = {"segment_ids": [segment.id]} if by_segment else {"company_ids": [big.id]}
            audience_kind = BoardAudience.members
        elif kind == "domain":
            may = make_user(email="cy@acme.example")
            may_not = make_user(email="di@acme.example", verified=False)  # not proved
            rule = {"domains": ["acme.example"]}
            audience_kind = BoardAudience.domains
        else:
            may, may_not = staff, make_user(email="eve@example.com")
            audience_kind = BoardAudience.staff
        for person in (may, may_not, staff):  # all of them supporters
            if person.is_contact:
                db.session.add(Follow(idea_id=idea.id, user_id=person.id))
            else:
                support.vote(person, idea)
        board_access.set_audience(admin, board, audience_kind, **rule)
        ideas.change_status(admin, public, ideas.IdeaStatus.planned)
        changelog.publish_entry(admin, SHIPPED_IN, "What shipped.", [idea.id], "/changelog")
        vector = np.ones(384, dtype=np.float32)
        embeddings.store_embedding("idea", idea.id, MODEL_NAME, "x", vector)
        embeddings.store_embedding("idea", public.id, MODEL_NAME, "y", vector)
        theme = Theme(
            label="Ledgers",
            top_words=["ledger"],
            size=2,
            representative=[{"type": "idea", "id": idea.id}, {"type": "idea", "id": public.id}],
            centroid=vector.tobytes(),
        )
        db.session.add(theme)
        db.session.commit()
        event = db.session.scalar(
            select(NotificationEvent).where(
                NotificationEvent.idea_id == idea.id,
                NotificationEvent.kind == EventKind.status_update,
            )
        )
        return Scene(board, idea, public, may, may_not, staff, event, theme, vector)

    return build


# --- the surfaces: each says whether `who` (None: anonymous) sees the private idea -------


def _page(http, path: str) -> str:
    response = http.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _found(http, path: str) -> bool:
    """Whether the address answers; an idea one may not see is "not found", never 403."""
    code = http.get(path).status_code
    assert code in (200, 404), (path, code)
    return code == 200


def _api(http, who, path: str):
    headers = {}
    if who is not None and not who.is_contact:  # a contact has no account to hold a token
        _, secret = api_ops.create_token(who, "matrix", "read")
        db.session.commit()
        headers["Authorization"] = f"Bearer {secret}"
    return http.get(path, headers=headers)


def _api_get(s, who, http):
    code = _api(http, who, f"/api/v1/ideas/{s.idea.id}").status_code
    assert code in (200, 404)
    return code == 200


def _api_list(s, who, http):
    items = _api(http, who, "/api/v1/ideas?q=quasar").get_json()["items"]
    assert s.public.id in [i["id"] for i in items]
    return s.idea.id in [i["id"] for i in items]


def _notified(s, who, http):
    if who is None:
        return None  # nobody to tell
    told = {u.id for u in db.session.scalars(delivery.recipients_of(s.event))}
    hearing = audience.hearing(audience.Audience.status_update, [s.idea.id])
    heard = {row.user_id for row in db.session.execute(hearing)}
    assert (who.id in told) is (who.id in heard)
    # Read time agrees with fan-out time (the bell and the email job filter again).
    assert visibility.can_read(who, s.event) is (who.id in told)
    return who.id in told


SURFACES = {
    "idea page (404, not 403)": lambda s, who, http: _found(http, f"/ideas/{s.idea.id}"),
    "list": lambda s, who, http: SECRET in _page(http, "/?sort=new"),
    "board list": lambda s, who, http: "Ledger vault" in _page(http, "/"),
    "board filter": lambda s, who, http: _found(http, f"/?board={s.board.slug}"),
    "search": lambda s, who, http: SECRET in _page(http, "/?q=quasar+reconciliation"),
    "similar while typing (keywords)": lambda s, who, http: (
        s.idea.id in [f.idea.id for f in keyword_ideas(who, "quasar reconciliation")]
    ),
    "similar while typing (model)": lambda s, who, http: (
        s.idea.id in [f.idea.id for f in similar_ideas(who, vector=s.vector)]
    ),
    "related ideas": lambda s, who, http: (
        s.idea.id in [f.idea.id for f in similar_ideas(who, idea=s.public)]
    ),
    "roadmap": lambda s, who, http: SECRET in _page(http, "/roadmap"),
    "changelog": lambda s, who, http: SHIPPED_IN in _page(http, "/changelog"),
    "changelog feed": lambda s, who, http: SHIPPED_IN in _page(http, "/changelog.atom"),
    "idea feed": lambda s, who, http: _found(http, f"/ideas/{s.idea.id}/feed.atom"),
    "api: get": _api_get,
    "api: list and search": _api_list,
    "notifications": _notified,
    "theme quotes": lambda s, who, http: (
        s.idea.id in [q.item_id for q in representative_quotes(s.theme, who)]
    ),
}


def _client_for(new_client, who):
    http = new_client()
    if who is not None and not who.is_contact:
        http.login(who.email, PASSWORD)
    return http


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("kind", KINDS)
def test_a_private_boards_idea_is_seen_only_by_whoever_may_see_the_board(
    build, new_client, kind, surface
):
    s = build(kind)
    seen = SURFACES[surface]
    viewers = {
        "may see": (s.may, True),
        "may not see": (s.may_not, False),
        "anonymous": (None, False),
        "staff": (s.staff, True),
    }
    for label, (who, expected) in viewers.items():
        http = _client_for(new_client, who)
        # A contact never signs in: on pages it reads as anonymous, elsewhere as itself.
        result = seen(s, who, http)
        if result is None:
            continue
        assert result is expected, f"{kind} board, {surface}: {label} ({who})"
    # The public idea beside it stays in sight of everyone.
    assert ideas.can_see(None, s.public)


# --- the settings page ----------------------------------------------------------------------


def test_admin_sets_who_sees_a_board_and_bad_input_is_shown_on_its_fields(
    client, make_user, make_board
):
    admin = make_user(role="admin")
    board = make_board(name="Roadmap preview")
    db.session.add(Company(name="Acme", plan="enterprise", attributes={}))
    db.session.commit()
    acme = db.session.scalar(select(Company.id).where(Company.name == "Acme"))
    client.login(admin.email)
    page = f"/admin/boards/{board.id}/audience"
    assert "Change who sees it" in _page(client.http, f"/admin/boards/{board.id}")
    assert "Everyone" in _page(client.http, "/admin/boards")

    bad = client.post(
        page, {"audience": "domains", "domains": "acme.example\nnot a domain!"}, page=page
    )
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "is not a domain" in html and "not a domain!" in html  # the text typed stays
    empty = client.post(page, {"audience": "members"}, page=page)
    assert empty.status_code == 400
    assert "Choose at least one segment or company." in empty.get_data(as_text=True)
    unknown = client.post(page, {"audience": "nobody"}, page=page)
    assert unknown.status_code == 400
    db.session.refresh(board)
    assert board.audience is BoardAudience.everyone

    done = client.post(page, {"audience": "members", "companies": str(acme)}, page=page)
    assert done.status_code == 302
    db.session.refresh(board)
    assert (board.audience, board.audience_company_ids) == (BoardAudience.members, [acme])
    assert "Customers of Acme" in _page(client.http, "/admin/boards")
    done = client.post(
        page, {"audience": "domains", "domains": "@Acme.example, beta.acme.example"}, page=page
    )
    assert done.status_code == 302
    db.session.refresh(board)
    assert board.audience_domains == ["acme.example", "beta.acme.example"]
    assert board.audience_company_ids == []  # another kind's list is cleared

    client.logout()
    client.login(make_user().email)  # a customer
    assert client.get(page).status_code == 403


def test_nobody_posts_to_or_moves_an_idea_to_a_board_they_may_not_see(
    client, make_user, make_board, make_idea
):
    admin, customer = make_user(role="admin"), make_user()
    board = make_board(name="Staff corner")
    board_access.set_audience(admin, board, BoardAudience.staff)
    db.session.commit()
    client.login(customer.email)
    form = _page(client.http, "/ideas/new")
    assert "Staff corner" not in form
    response = client.post(
        "/ideas/new", {"title": "Sneak in", "body": "", "board": board.id}, page="/ideas/new"
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Idea).where(Idea.title == "Sneak in")) is None
    with pytest.raises(ideas.OperationError):
        ideas.create_idea(customer, board, "Sneak in", "")
    mine = make_idea(author=customer)
    with pytest.raises(ideas.OperationError):
        ideas.edit_idea(customer, mine, mine.title, "", board)
    # The API answers as if the board did not exist.
    _, secret = api_ops.create_token(customer, "t", "write")
    db.session.commit()
    created = client.http.post(
        "/api/v1/ideas",
        json={"board": board.slug, "title": "Sneak in", "body": ""},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert created.status_code == 422
    assert client.get(f"/roadmap?board={board.slug}").status_code == 404


def test_an_author_who_may_no_longer_see_the_board_no_longer_sees_their_idea(
    make_user, make_board, make_idea
):
    admin, author = make_user(role="admin"), make_user()
    board = make_board()
    idea = make_idea(author=author, board=board)
    assert ideas.can_see(author, idea)
    board_access.set_audience(admin, board, BoardAudience.staff)
    db.session.commit()
    assert not ideas.can_see(author, idea)
    assert ideas.get_idea_for(author, idea.id) is None
    assert db.session.scalar(select(Idea.id).where(ideas.visible_to(author))) is None


def test_set_audience_is_for_admins_and_checks_its_lists(make_user, make_board):
    staff, admin, board = make_user(role="staff"), make_user(role="admin"), make_board()
    with pytest.raises(ideas.PermissionDenied):
        board_access.set_audience(staff, board, BoardAudience.staff)
    with pytest.raises(ideas.OperationError, match="segments do not exist"):
        board_access.set_audience(admin, board, BoardAudience.members, segment_ids=[999])
    with pytest.raises(ideas.OperationError, match="at least one email domain"):
        board_access.set_audience(admin, board, BoardAudience.domains)
    assert board_access.parse_domains(" A.example ;a.example\n@b.example ") == [
        "a.example",
        "b.example",
    ]


def test_a_segment_counts_by_the_companys_first_matching_segment(make_user, make_board):
    """Segments are matched in order, as demand weighs them: a company in an earlier
    segment is not in a later one it would also match."""
    admin, board = make_user(role="admin"), make_board()
    first = Segment(name="Big spenders", min_revenue=1000, position=0)
    later = Segment(name="Enterprise", plan="enterprise", position=1)
    rich = Company(name="Rich", plan="enterprise", monthly_revenue=5000, attributes={})
    plain = Company(name="Plain", plan="enterprise", monthly_revenue=10, attributes={})
    db.session.add_all([first, later, rich, plain])
    db.session.flush()
    in_first, in_later = make_user(), make_user()
    in_first.company_id, in_later.company_id = rich.id, plain.id
    board_access.set_audience(admin, board, BoardAudience.members, segment_ids=[later.id])
    db.session.commit()
    assert not board_access.may_see_board(in_first, board)
    assert board_access.may_see_board(in_later, board)
    rule = board_access.people_who_see(Idea.board_id, [board.id])
    stmt = select(User.id).join(Idea, Idea.board_id == board.id).where(rule).distinct()
    db.session.add(Idea(board_id=board.id, author_id=admin.id, title="t", body="", body_html=""))
    db.session.commit()
    seeing = set(db.session.scalars(stmt))
    assert in_later.id in seeing and in_first.id not in seeing and admin.id in seeing


def test_the_demo_has_one_private_board(app):
    from vocportal.demo.seed import seed

    seed()
    private = db.session.scalars(
        select(Board).where(Board.audience != BoardAudience.everyone)
    ).all()
    assert [b.slug for b in private] == ["admin-security"]
    assert private[0].audience is BoardAudience.members and private[0].audience_segment_ids


def test_closing_a_board_clears_the_anonymous_page_cache(app_factory, make_idea, make_user):
    """Anonymous pages are cached; making a board private must not leave its ideas in them."""
    from tests.conftest import PortalClient

    app = app_factory(ANONYMOUS_PAGE_CACHE_SECONDS=60)
    with app.app_context():
        admin_id = make_user(role="admin").id
        board_id = make_idea(title=SECRET).board_id
    reader = PortalClient(app)
    for path in ("/", "/roadmap", "/changelog"):
        reader.get(path)  # cached now
    assert SECRET in reader.get("/").get_data(as_text=True)
    with app.app_context():
        admin = db.session.get(User, admin_id)
        board_access.set_audience(admin, db.session.get(Board, board_id), BoardAudience.staff)
        db.session.commit()
    assert SECRET not in reader.get("/").get_data(as_text=True)
