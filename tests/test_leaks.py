"""Hidden and withdrawn ideas, and hidden comments, reach nobody who may not see them.

One rule (`ideas.operations.can_see` / `visible_to`): staff see everything, marked; an
idea's author still sees it while it is withdrawn; everyone else sees public ideas only.
Each surface is checked as an anonymous reader and as another customer, in HTML, in the
JSON API and in the Atom feeds; staff still see what is hidden, marked as such.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from sqlalchemy import func, select

from tests.conftest import PortalClient
from vocportal.api import operations as api_ops
from vocportal.changelog import operations as changelog
from vocportal.embeddings.encoder import DIMENSIONS, MODEL_NAME
from vocportal.embeddings.models import Embedding
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import commenting
from vocportal.ideas import merge as merges
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Comment, IdeaStatus
from vocportal.notifications import preferences
from vocportal.notifications.models import NotificationEvent

pytestmark = pytest.mark.usefixtures("embedded_redis_url")

API = "/api/v1"
CONCEAL = ["hidden", "withdrawn"]


@pytest.fixture
def cast(app, make_user):
    """Staff, the author of the idea that gets concealed, and another customer, each with a
    logged-in browser and an API token; plus an anonymous browser."""
    people = SimpleNamespace(
        staff=make_user(role="staff"), author=make_user(), other=make_user(), app=app
    )
    for role in ("staff", "author", "other"):
        user = getattr(people, role)
        _token, secret = api_ops.create_token(user, "script", "write")
        db.session.commit()
        setattr(people, f"{role}_token", secret)
        browser = PortalClient(app)
        browser.login(user.email)
        setattr(people, f"{role}_web", browser)
    people.anonymous_web = PortalClient(app)
    return people


def conceal(cast, idea, how: str) -> None:
    if how == "hidden":
        ideas.set_idea_hidden(cast.staff, idea, True)
    else:
        ideas.withdraw_idea(idea.author, idea)
    db.session.commit()


def outsiders(cast):
    """(name, browser, API token) for everyone who may not see a concealed idea."""
    return [
        ("anonymous", cast.anonymous_web, None),
        ("another customer", cast.other_web, cast.other_token),
    ]


def api_get(browser, path: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return browser.get(API + path, headers=headers)


def text_of(response) -> str:
    return response.get_data(as_text=True)


# --- merged duplicates ---------------------------------------------------------------------


@pytest.mark.parametrize("how", CONCEAL)
def test_a_concealed_duplicate_is_not_named_on_the_idea_it_joined(cast, make_idea, how):
    target = make_idea(title="Public target idea")
    secret = make_idea(title="Secret duplicate idea", author=cast.author)
    conceal(cast, secret, how)
    merges.merge(cast.staff, secret, target)
    db.session.commit()

    for who, browser, token in outsiders(cast):
        page = browser.get(f"/ideas/{target.id}")
        assert page.status_code == 200
        assert "Secret duplicate idea" not in text_of(page), who
        assert 'data-testid="merged-here"' not in text_of(page), who
        for path in (f"/ideas/{target.id}", "/ideas?status=duplicate"):
            assert "Secret duplicate idea" not in text_of(api_get(browser, path, token)), who
        assert "Secret duplicate idea" not in text_of(browser.get(f"/ideas/{target.id}/feed.atom"))

    staff_page = text_of(cast.staff_web.get(f"/ideas/{target.id}"))
    assert "Secret duplicate idea" in staff_page
    assert f'data-testid="merged-here-{how}"' in staff_page  # marked for staff
    if how == "withdrawn":  # its author still sees their own withdrawn idea
        assert "Secret duplicate idea" in text_of(cast.author_web.get(f"/ideas/{target.id}"))


@pytest.mark.parametrize("how", CONCEAL)
def test_a_concealed_target_is_not_named_on_its_duplicate(cast, make_idea, how):
    target = make_idea(title="Secret target idea", author=cast.author)
    duplicate = make_idea(title="Public duplicate idea")
    merges.merge(cast.staff, duplicate, target)
    db.session.commit()
    conceal(cast, target, how)

    for who, browser, token in outsiders(cast):
        page = browser.get(f"/ideas/{duplicate.id}")
        assert page.status_code == 200
        html = text_of(page)
        assert "Secret target idea" not in html, who  # neither the banner nor the timeline
        assert 'data-testid="duplicate-of"' not in html, who
        assert "Merged as a duplicate" in html, who  # the status still says what happened
        feed = text_of(browser.get(f"/ideas/{duplicate.id}/feed.atom"))
        assert "Secret target idea" not in feed, who
        one = api_get(browser, f"/ideas/{duplicate.id}", token).get_json()
        assert one["duplicate_of"] is None, who
        listed = api_get(browser, "/ideas?status=duplicate", token).get_json()["items"]
        assert [(i["id"], i["duplicate_of"]) for i in listed] == [(duplicate.id, None)], who

    staff_page = text_of(cast.staff_web.get(f"/ideas/{duplicate.id}"))
    assert "Secret target idea" in staff_page and 'data-testid="duplicate-of"' in staff_page
    assert f'data-testid="duplicate-of-{how}"' in staff_page
    staff_api = api_get(cast.staff_web, f"/ideas/{duplicate.id}", cast.staff_token).get_json()
    assert staff_api["duplicate_of"] == target.id


@pytest.mark.parametrize("how", CONCEAL)
def test_a_public_idea_cannot_be_merged_into_a_concealed_one(cast, make_idea, how):
    target = make_idea(title="Secret target idea", author=cast.author)
    conceal(cast, target, how)
    public = make_idea(title="Public duplicate idea")
    with pytest.raises(OperationError, match=f"is {how}"):
        merges.merge(cast.staff, public, target)
    db.session.rollback()
    # Through the staff page: a clear answer, nothing merged.
    page = f"/ideas/{public.id}"
    refused = cast.staff_web.post(
        f"/staff/ideas/{public.id}/duplicate", {"target": str(target.id), "next": page}, page=page
    )
    assert refused.status_code == 400 and f"is {how}" in text_of(refused)
    db.session.expire_all()
    assert public.duplicate_of_id is None
    # Two concealed ideas may still be merged: nobody outside staff sees either.
    other_secret = make_idea(title="Another secret idea")
    ideas.set_idea_hidden(cast.staff, other_secret, True)
    merges.merge(cast.staff, other_secret, target)
    db.session.commit()
    assert other_secret.duplicate_of_id == target.id


def test_the_merge_notice_names_a_public_target(cast, make_idea):
    target = make_idea(title="Public target idea")
    duplicate = make_idea(title="Public duplicate idea")
    merges.merge(cast.staff, duplicate, target)
    db.session.commit()
    event = db.session.scalar(
        select(NotificationEvent).where(NotificationEvent.idea_id == duplicate.id)
    )
    assert "Public target idea" in event.text and f"/ideas/{target.id}" in event.text
    # The timeline keeps a note that does not depend on the target staying public.
    history = ideas.status_history(duplicate)
    assert history[-1].new_status is IdeaStatus.duplicate
    assert "Public target idea" not in history[-1].message_html
    assert f"/ideas/{target.id}" in history[-1].message_html


# --- announcements -------------------------------------------------------------------------


def _events_about(idea) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(NotificationEvent)
        .where(NotificationEvent.idea_id == idea.id)
    )


@pytest.mark.parametrize("how", CONCEAL)
def test_nothing_is_announced_about_a_concealed_idea(cast, make_idea, how):
    secret = make_idea(title="Secret idea", author=cast.author, votes=2)
    conceal(cast, secret, how)
    ideas.change_status(cast.staff, secret, IdeaStatus.planned, "We will do it")
    commenting.add_comment(cast.staff, secret, "A staff remark")
    db.session.commit()
    assert _events_about(secret) == 0
    # Merging it into a public idea tells its supporters nothing that names it either.
    target = make_idea(title="Public target idea")
    merges.merge(cast.staff, secret, target)
    db.session.commit()
    assert _events_about(secret) == 0
    names = db.session.scalars(select(NotificationEvent.title)).all()
    assert not [t for t in names if "Secret idea" in t]
    # The same actions on a public idea are announced (the check above can fail).
    ideas.change_status(cast.staff, target, IdeaStatus.planned, "We will do it")
    commenting.add_comment(cast.staff, target, "A staff remark")
    db.session.commit()
    assert _events_about(target) == 2


# --- hidden comments -----------------------------------------------------------------------


def test_a_hidden_comment_reaches_no_customer(cast, make_idea):
    idea = make_idea(title="Public idea")
    comment = commenting.add_comment(cast.author, idea, "Rude words that staff hid")
    commenting.set_comment_hidden(cast.staff, comment, True)
    db.session.commit()
    viewers = [*outsiders(cast), ("its author", cast.author_web, cast.author_token)]
    for who, browser, token in viewers:
        assert "Rude words" not in text_of(browser.get(f"/ideas/{idea.id}")), who
        listed = api_get(browser, f"/ideas/{idea.id}/comments", token).get_json()["items"]
        assert listed == [], who
        assert "Rude words" not in text_of(browser.get(f"/ideas/{idea.id}/feed.atom")), who
    staff_page = text_of(cast.staff_web.get(f"/ideas/{idea.id}"))
    assert "Rude words" in staff_page and "<strong>hidden</strong>" in staff_page
    staff_api = api_get(cast.staff_web, f"/ideas/{idea.id}/comments", cast.staff_token)
    assert staff_api.get_json()["items"][0]["hidden_at"] is not None


def test_its_author_cannot_edit_a_comment_staff_hid(cast, make_idea):
    idea = make_idea(title="Public idea")
    comment = commenting.add_comment(cast.author, idea, "Rude words that staff hid")
    commenting.set_comment_hidden(cast.staff, comment, True)
    db.session.commit()
    page = f"/ideas/{idea.id}"
    url = f"/comments/{comment.id}/edit"

    shown = cast.author_web.get(url)
    assert shown.status_code == 403 and "Staff hid this comment" in text_of(shown)
    sent = cast.author_web.post(url, {"body": "Edited to sneak back"}, page=page)
    assert sent.status_code == 403 and "Staff hid this comment" in text_of(sent)
    # Another customer does not learn that the comment exists.
    assert cast.other_web.get(url).status_code == 404
    assert cast.other_web.post(url, {"body": "x"}, page=page).status_code == 404
    with pytest.raises(PermissionDenied):
        commenting.edit_comment(cast.author, comment, "Edited to sneak back")
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(Comment, comment.id)
    assert stored.body == "Rude words that staff hid" and stored.edited_at is None

    # Staff still can; and once shown again, its author can edit it as before.
    assert cast.staff_web.post(url, {"body": "Moderated text"}, page=page).status_code == 302
    commenting.set_comment_hidden(cast.staff, db.session.get(Comment, comment.id), False)
    db.session.commit()
    assert cast.author_web.post(url, {"body": "Kind words"}, page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "Kind words"


# --- every other public surface ------------------------------------------------------------


def _embed(idea, vector) -> None:
    vector = np.asarray(vector, dtype="<f4")
    vector /= np.linalg.norm(vector)
    db.session.add(
        Embedding(
            item_type="idea",
            item_id=idea.id,
            model=MODEL_NAME,
            dim=DIMENSIONS,
            vector=vector.tobytes(),
            text_hash=str(idea.id),
        )
    )


@pytest.mark.parametrize("how", CONCEAL)
def test_a_concealed_idea_is_on_no_public_surface(cast, make_idea, how):
    public = make_idea(title="Public neighbour idea")
    secret = make_idea(title="Secret planned idea", author=cast.author)
    commenting.add_comment(cast.other, secret, "I want this too")
    ideas.change_status(cast.staff, secret, IdeaStatus.planned, "Coming")
    db.session.commit()
    entry = changelog.publish_entry(cast.staff, "Release 1", "Things shipped", [secret.id], "/c")
    db.session.commit()
    base = np.ones(DIMENSIONS, dtype="<f4")
    _embed(public, base)
    _embed(secret, base + 0.01)  # all but identical: the first related idea if it were public
    db.session.commit()
    assert entry.ideas == [secret]
    conceal(cast, secret, how)

    pages = [
        "/",
        "/?q=secret",
        "/?status=shipped",
        "/roadmap",
        "/changelog",
        "/changelog.atom",
        f"/ideas/{public.id}",  # related ideas
    ]
    api = ["/ideas", "/ideas?q=secret", "/ideas?status=shipped"]
    for who, browser, token in outsiders(cast):
        for path in pages:
            response = browser.get(path)
            assert "Secret planned idea" not in text_of(response), (who, path)
        for path in api:
            response = api_get(browser, path, token)
            assert response.status_code == 200
            assert "Secret planned idea" not in text_of(response), (who, path)
        for path in (f"/ideas/{secret.id}", f"/ideas/{secret.id}/feed.atom"):
            assert browser.get(path).status_code == 404, (who, path)
        for path in (f"/ideas/{secret.id}", f"/ideas/{secret.id}/comments"):
            assert api_get(browser, path, token).status_code == 404, (who, path)

    # The related-ideas check can fail: staff, who may see it, get it suggested only while
    # it is public, and the neighbour is suggested on the secret idea's staff page.
    assert "Public neighbour idea" in text_of(cast.staff_web.get(f"/ideas/{secret.id}"))


# --- unsubscribe pages ---------------------------------------------------------------------


@pytest.mark.parametrize("how", CONCEAL)
def test_unsubscribe_pages_do_not_name_a_concealed_idea(cast, make_idea, how):
    secret = make_idea(title="Secret unsubscribe idea", author=cast.author)
    token = preferences.unsubscribe_token(cast.other.id, secret.id)
    path = f"/unsubscribe/{token}"
    # Whoever holds the link (a forwarded email) sees the page: it names a public idea...
    public_page = text_of(cast.anonymous_web.get(path))
    assert "Secret unsubscribe idea" in public_page and f"/ideas/{secret.id}" in public_page
    conceal(cast, secret, how)

    # ... and only "an idea" once it is not public, on every page of the flow.
    shown = cast.anonymous_web.get(path)
    done = cast.anonymous_web.post(path, page=path)
    undone = cast.anonymous_web.post(f"{path}/undo", page=path)
    for response in (shown, done, undone):
        assert response.status_code == 200
        html = text_of(response)
        assert "Secret unsubscribe idea" not in html and f"/ideas/{secret.id}" not in html
        assert "an idea" in html
