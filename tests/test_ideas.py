"""Browsing, posting, editing, withdrawing, voting, commenting and following ideas."""

from __future__ import annotations

from sqlalchemy import func, select

from vocportal.extensions import db
from vocportal.ideas import commenting, support
from vocportal.ideas import operations as ops
from vocportal.ideas.models import Comment, Follow, Idea, IdeaStatus, StatusChange, Vote


def test_post_idea_renders_markdown_and_author_votes_and_follows(client, make_user, make_board):
    user = make_user()
    board = make_board(name="Integrations")
    client.login(user.email)
    response = client.post(
        "/ideas/new",
        {
            "title": "Sync hours to Jira worklogs",
            "body": "We need **two-way** sync.\n\n- worklogs\n- estimates",
            "board": board.id,
        },
        page="/ideas/new",
    )
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.title == "Sync hours to Jira worklogs"))
    assert idea.vote_count == 1 and idea.author_id == user.id
    assert db.session.get(Follow, (idea.id, user.id)) is not None
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "<strong>two-way</strong>" in page and "<li>worklogs</li>" in page


def test_post_idea_errors_keep_input(client, make_user, make_board):
    user = make_user()
    board = make_board()
    client.login(user.email)
    response = client.post(
        "/ideas/new",
        {"title": "", "body": "Keep this body text", "board": board.id},
        page="/ideas/new",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Keep this body text" in html and "This field is required." in html


def test_post_requires_login(client):
    response = client.get("/ideas/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_listing_sorts_filters_and_paginates(client, app, make_idea, make_board):
    board = make_board(name="Reports")
    other = make_board(name="Mobile")
    old = make_idea(title="Old popular idea", board=board, votes=4)
    old.created_at = old.created_at.replace(year=2024)
    db.session.commit()
    new = make_idea(title="Fresh idea", board=other, votes=1)
    top = client.get("/?sort=top").get_data(as_text=True)
    assert top.index("Old popular idea") < top.index("Fresh idea")
    newest = client.get("/?sort=new").get_data(as_text=True)
    assert newest.index("Fresh idea") < newest.index("Old popular idea")
    by_board = client.get(f"/?board={other.slug}").get_data(as_text=True)
    assert "Fresh idea" in by_board and "Old popular idea" not in by_board
    ops.change_status(_staff(app), new, IdeaStatus.planned)
    db.session.commit()
    planned = client.get("/?status=planned").get_data(as_text=True)
    assert "Fresh idea" in planned and "Old popular idea" not in planned
    assert client.get("/?status=bogus").status_code == 404
    for i in range(25):
        make_idea(title=f"Filler idea number {i}", board=board)
    first = client.get("/?sort=new").get_data(as_text=True)
    second = client.get("/?sort=new&page=2").get_data(as_text=True)
    assert "Page 1<" in first and "Older" in first
    assert "Page 2<" in second and "Older" not in second
    assert "Filler idea number 24" in first and "Old popular idea" in second


def _staff(app):
    from vocportal.accounts import operations as account_ops
    from vocportal.accounts.models import Role

    user = account_ops.create_user(
        "staffer@example.com", "Staffer", "correct horse battery", Role.staff
    )
    db.session.commit()
    return user


def test_trending_weighs_recent_votes_more(app, make_idea, make_user):
    from datetime import timedelta

    from vocportal.timeutil import utcnow

    old_hit = make_idea(title="Old hit")
    fresh = make_idea(title="Fresh")
    # Five votes a year ago versus two votes today: trending prefers the fresh one, top not.
    for _ in range(5):
        user = make_user()
        support.vote(user, old_hit)
    db.session.flush()
    year_ago = utcnow() - timedelta(days=365)
    db.session.execute(
        Vote.__table__.update().where(Vote.idea_id == old_hit.id).values(created_at=year_ago)
    )
    old_hit.trend_score = sum(
        support.trend_weight(v.created_at)
        for v in db.session.scalars(select(Vote).where(Vote.idea_id == old_hit.id))
    )
    for _ in range(2):
        support.vote(make_user(), fresh)
    db.session.commit()
    trending = db.session.scalars(ops.idea_listing(ops.IdeaQuery(sort="trending"))).all()
    top = db.session.scalars(ops.idea_listing(ops.IdeaQuery(sort="top"))).all()
    assert [i.title for i in trending] == ["Fresh", "Old hit"]
    assert [i.title for i in top] == ["Old hit", "Fresh"]


def test_search_finds_title_and_body_words(client, make_idea):
    make_idea(title="Calendar export", body="Put tracked hours into Outlook as events")
    make_idea(title="Dark mode", body="The timer glares at night")
    found = client.get("/?q=outlook").get_data(as_text=True)
    assert "Calendar export" in found and "Dark mode" not in found
    stemmed = client.get("/?q=glaring+timers").get_data(as_text=True)
    assert "Dark mode" in stemmed
    prefix = client.get("/?q=calen").get_data(as_text=True)
    assert "Calendar export" in prefix
    # Operators and quotes are just text, never a syntax error.
    for q in ['"unbalanced', "NEAR(", "a OR", "*", "-", "()"]:
        assert client.get("/", query_string={"q": q}).status_code == 200


def test_search_sees_edits(client, make_idea, app):
    idea = make_idea(title="Invoice templates")
    ops.edit_idea(idea.author, idea, "Invoice layouts with our logo", "", idea.board)
    db.session.commit()
    assert "Invoice layouts" in client.get("/?q=logo").get_data(as_text=True)
    assert "Invoice layouts" not in client.get("/?q=templates").get_data(as_text=True)


def test_idea_page_shows_body_votes_status_comments_history(client, make_idea, app):
    idea = make_idea(title="Offline mode", body="Planes have no wifi", votes=2)
    staff = _staff(app)
    commenting.add_comment(staff, idea, "Thanks, looking into it", official=True)
    ops.change_status(staff, idea, IdeaStatus.planned, "Coming in **Q3**")
    db.session.commit()
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Planes have no wifi" in html
    assert 'data-testid="vote-count">3<' in html
    assert "Official response" in html and "Thanks, looking into it" in html
    assert "Status history" in html and "<strong>Q3</strong>" in html
    assert client.get("/ideas/999999").status_code == 404


def test_author_edits_and_withdraws_own_idea(client, make_idea, make_user):
    author = make_user()
    idea = make_idea(title="Before edit", author=author)
    client.login(author.email)
    response = client.post(
        f"/ideas/{idea.id}/edit",
        {"title": "After edit", "body": "b", "board": idea.board_id},
        page=f"/ideas/{idea.id}/edit",
    )
    assert response.status_code == 302
    db.session.refresh(idea)
    assert idea.title == "After edit"
    client.post(f"/ideas/{idea.id}/withdraw", page=f"/ideas/{idea.id}")
    db.session.refresh(idea)
    assert idea.withdrawn_at is not None
    assert "After edit" not in client.get("/").get_data(as_text=True)
    other = client.__class__(client.app)
    assert other.get(f"/ideas/{idea.id}").status_code == 404


def test_vote_and_unvote_plain_form_and_htmx(client, make_idea, make_user):
    voter = make_user()
    idea = make_idea()
    client.login(voter.email)
    response = client.post(f"/ideas/{idea.id}/vote", page="/")
    assert response.status_code == 302
    again = client.post(f"/ideas/{idea.id}/vote", page="/")
    assert again.status_code == 302
    db.session.refresh(idea)
    assert idea.vote_count == 2  # the author's and this voter's, not three
    partial = client.post(f"/ideas/{idea.id}/unvote", page="/", headers={"HX-Request": "true"})
    html = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "<html" not in html
    assert 'aria-pressed="false"' in html and 'data-testid="vote-count">1<' in html
    db.session.refresh(idea)
    assert idea.vote_count == 1
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1


def test_closed_idea_takes_no_votes(client, make_idea, make_user, app):
    idea = make_idea()
    ops.change_status(_staff(app), idea, IdeaStatus.shipped)
    db.session.commit()
    voter = make_user()
    client.login(voter.email)
    response = client.post(f"/ideas/{idea.id}/vote", page="/", headers={"HX-Request": "true"})
    assert "takes no votes" in response.get_data(as_text=True)
    db.session.refresh(idea)
    assert idea.vote_count == 1


def test_comment_follow_and_unfollow(client, make_idea, make_user):
    commenter = make_user()
    idea = make_idea()
    client.login(commenter.email)
    empty = client.post(f"/ideas/{idea.id}/comments", {"body": ""}, page=f"/ideas/{idea.id}")
    assert empty.status_code == 400
    response = client.post(
        f"/ideas/{idea.id}/comments", {"body": "We need this _badly_"}, page=f"/ideas/{idea.id}"
    )
    assert response.status_code == 302
    db.session.refresh(idea)
    assert idea.comment_count == 1
    assert db.session.get(Follow, (idea.id, commenter.id)) is not None
    assert "<em>badly</em>" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    client.post(f"/ideas/{idea.id}/follow", {"follow": "0"}, page=f"/ideas/{idea.id}")
    db.session.expire_all()
    # Unfollowing is an opt-out kept as a muted row, so a later vote does not undo it.
    assert db.session.get(Follow, (idea.id, commenter.id)).muted is True
    client.post(f"/ideas/{idea.id}/follow", {"follow": "1"}, page=f"/ideas/{idea.id}")
    db.session.expire_all()
    assert db.session.get(Follow, (idea.id, commenter.id)).muted is False


def test_customer_cannot_mark_comment_official(client, make_idea, make_user):
    user = make_user()
    idea = make_idea()
    client.login(user.email)
    client.post(
        f"/ideas/{idea.id}/comments", {"body": "hi", "official": "y"}, page=f"/ideas/{idea.id}"
    )
    db.session.expire_all()
    comments = db.session.scalars(select(Comment)).all()
    assert all(not c.is_official for c in comments)


def test_staff_moderate_edit_hide_official_and_status(client, make_idea, make_user, app):
    staff = make_user(role="staff")
    idea = make_idea(title="Needs moderation")
    comment = commenting.add_comment(idea.author, idea, "rude words")
    db.session.commit()
    client.login(staff.email)
    page = f"/ideas/{idea.id}"
    client.post(f"/comments/{comment.id}/moderate", {"action": "official"}, page=page)
    client.post(f"/comments/{comment.id}/moderate", {"action": "hide"}, page=page)
    db.session.expire_all()
    comment = db.session.get(Comment, comment.id)
    assert comment.is_official and comment.hidden_at is not None
    assert db.session.get(Idea, idea.id).comment_count == 0
    outsider = client.__class__(client.app)
    assert "rude words" not in outsider.get(page).get_data(as_text=True)

    edited = client.post(
        f"/ideas/{idea.id}/edit",
        {"title": "Edited by staff", "body": "", "board": idea.board_id},
        page=f"/ideas/{idea.id}/edit",
    )
    assert edited.status_code == 302
    status = client.post(
        f"/ideas/{idea.id}/status", {"status": "in_progress", "message": "Started"}, page=page
    )
    assert status.status_code == 302
    db.session.expire_all()
    idea = db.session.get(Idea, idea.id)
    assert idea.status is IdeaStatus.in_progress and idea.title == "Edited by staff"
    change = db.session.scalar(select(StatusChange).where(StatusChange.idea_id == idea.id))
    assert (change.old_status, change.new_status, change.actor_id) == (
        IdeaStatus.open,
        IdeaStatus.in_progress,
        staff.id,
    )
    client.post(f"/ideas/{idea.id}/hide", {"hidden": "1"}, page=page)
    assert "Edited by staff" not in outsider.get("/").get_data(as_text=True)
    assert outsider.get(page).status_code == 404
    assert client.get(page).status_code == 200  # staff still see it


def test_edit_own_comment(client, make_idea, make_user):
    user = make_user()
    idea = make_idea()
    comment = commenting.add_comment(user, idea, "first version")
    db.session.commit()
    client.login(user.email)
    response = client.post(
        f"/comments/{comment.id}/edit",
        {"body": "second version"},
        page=f"/comments/{comment.id}/edit",
    )
    assert response.status_code == 302
    db.session.refresh(comment)
    assert comment.body == "second version" and comment.edited_at is not None
