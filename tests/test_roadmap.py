"""The public roadmap: planned, in progress and shipped, with votes, filterable by board."""

from __future__ import annotations

from vocportal.extensions import db
from vocportal.ideas import operations as ops
from vocportal.ideas.models import IdeaStatus


def test_roadmap_columns_votes_and_board_filter(client, make_idea, make_user, make_board):
    staff = make_user(role="staff")
    mobile, web = make_board(name="Mobile"), make_board(name="Web")
    planned = make_idea(title="Planned on mobile", board=mobile, votes=3)
    building = make_idea(title="Being built on web", board=web)
    shipped = make_idea(title="Shipped on web", board=web)
    make_idea(title="Still open", board=web)
    hidden = make_idea(title="Planned but hidden", board=web)
    for idea, status in [
        (planned, IdeaStatus.planned),
        (building, IdeaStatus.in_progress),
        (shipped, IdeaStatus.shipped),
        (hidden, IdeaStatus.planned),
    ]:
        ops.change_status(staff, idea, status)
    ops.set_idea_hidden(staff, hidden, True)
    db.session.commit()

    html = client.get("/roadmap").get_data(as_text=True)
    planned_col = html.split('data-testid="roadmap-planned"')[1].split("</section>")[0]
    progress_col = html.split('data-testid="roadmap-in_progress"')[1].split("</section>")[0]
    shipped_col = html.split('data-testid="roadmap-shipped"')[1].split("</section>")[0]
    assert "Planned on mobile" in planned_col and "&#9650; 4" in planned_col
    assert "Being built on web" in progress_col and "Shipped on web" in shipped_col
    assert "Still open" not in html and "Planned but hidden" not in html

    only_web = client.get(f"/roadmap?board={web.slug}").get_data(as_text=True)
    assert "Planned on mobile" not in only_web and "Being built on web" in only_web
    assert client.get("/roadmap?board=nope").status_code == 404
