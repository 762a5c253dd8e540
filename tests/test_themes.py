"""Themes with the real MiniLM model and real BERTopic on the demo corpus (slow)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import PortalClient
from tests.test_jobs import run_worker
from vocportal.demo import content
from vocportal.extensions import db
from vocportal.ideas import operations as ideas
from vocportal.queue.models import JobRecord, JobState
from vocportal.themes import edits, reads
from vocportal.themes.models import Theme, ThemeItem, ThemeStatus, TopicFit
from vocportal.themes.refresh import request_refresh

pytestmark = [
    pytest.mark.slow,
    pytest.mark.usefixtures("embedded_redis_url"),
    pytest.mark.app_config(JOB_RETRY_INTERVALS=[0, 0, 0], JOB_SWEEP_GRACE_SECONDS=0),
]


def post_ideas(specs, make_user, make_board):
    board = make_board(name="Everything")
    author = make_user()
    made = [ideas.create_idea(author, board, s["title"], s["body"]) for s in specs]
    db.session.commit()
    return made


def jobs_in(state: JobState) -> int:
    return db.session.scalar(select(func.count()).where(JobRecord.state == state))


def test_small_corpus_is_said_not_clustered(app, make_user, make_board):
    post_ideas(content.IDEAS[:12], make_user, make_board)
    run_worker(app, "embeddings")
    request_refresh()
    db.session.commit()
    run_worker(app, "topics")
    db.session.expire_all()
    fit = reads.last_fit()
    assert fit.n_themes == 0 and "themes need at least" in fit.message
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 0
    staff = make_user(role="staff")
    client = PortalClient(app)
    client.login(staff.email)
    page = client.get("/staff/themes/").get_data(as_text=True)
    assert "themes need at least" in page


def test_refit_keeps_theme_ids_and_staff_names(app, make_user, make_board):
    # The demo corpus: ~320 requests in ~44 themes. Hold some back for the second fit.
    held_back = content.IDEAS[::9]
    first = [i for i in content.IDEAS if i not in held_back]
    post_ideas(first, make_user, make_board)
    run_worker(app, "embeddings")
    assert jobs_in(JobState.failed) == 0
    request_refresh()
    db.session.commit()
    run_worker(app, "topics")
    db.session.expire_all()
    fit1 = reads.last_fit()
    assert fit1.n_themes >= 10, fit1.message
    before = {t.id: t for t in reads.active_themes()}
    # Themes mean something: most items of one demo theme land in one portal theme.
    by_title = {i["title"]: i["theme"] for i in content.IDEAS}
    rows = db.session.execute(
        select(ThemeItem.theme_id, ideas.Idea.title).join(
            ideas.Idea, ideas.Idea.id == ThemeItem.item_id
        )
    ).all()
    agree = 0
    for demo_theme in {i["theme"] for i in first}:
        theme_ids = [r.theme_id for r in rows if by_title[r.title] == demo_theme]
        top = max(set(theme_ids), key=theme_ids.count)
        agree += top is not None and theme_ids.count(top) >= len(theme_ids) / 2
    assert agree >= 0.6 * len({i["theme"] for i in first})

    named = max(before.values(), key=lambda t: t.size)
    staff = make_user(role="staff")
    edits.rename_theme(staff, named, "Our biggest theme")
    db.session.commit()

    # Between refits, a new idea joins its nearest theme.
    post_ideas(held_back, make_user, make_board)
    run_worker(app, "embeddings")
    db.session.expire_all()
    placed = db.session.scalars(select(ThemeItem).where(ThemeItem.source == "nearest")).all()
    assert len([p for p in placed if p.theme_id is not None]) >= len(held_back) // 2

    request_refresh()
    db.session.commit()
    run_worker(app, "topics")
    db.session.expire_all()
    fit2 = reads.last_fit()
    summary = (fit1.n_themes, fit2.n_themes, fit2.kept, fit2.created, fit2.retired)
    assert fit2.id != fit1.id and fit2.kept >= 0.7 * fit1.n_themes, summary
    after = {t.id: t for t in reads.active_themes()}
    kept = set(before) & set(after)
    assert len(kept) >= 0.7 * len(before)
    renamed = db.session.get(Theme, named.id)
    assert renamed.status is ThemeStatus.active and renamed.name == "Our biggest theme"
    # Retired themes are kept, not renumbered: every theme id from fit 1 still exists.
    assert all(db.session.get(Theme, theme_id) is not None for theme_id in before)
    assert db.session.scalar(select(func.count()).select_from(TopicFit)) == 2

    client = PortalClient(app)
    client.login(staff.email)
    page = client.get("/staff/themes/").get_data(as_text=True)
    assert "Our biggest theme" in page and 'data-testid="theme"' in page
