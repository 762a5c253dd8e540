"""Staff edits to themes: merging themes and moving ideas, and refits that keep both
(fits are faked: they cluster nothing, they say which item belongs to which topic)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from tests.test_theme_demand import make_theme, unit
from vocportal.embeddings.encoder import MODEL_NAME
from vocportal.embeddings.models import Embedding
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas import operations as idea_ops
from vocportal.themes import edits, placement, reads, results
from vocportal.themes.models import Theme, ThemeItem, ThemeSnapshot, ThemeStatus
from vocportal.themes.refit import refit
from vocportal.themes.results import FitResult, Topic

pytestmark = pytest.mark.usefixtures("embedded_redis_url")

#: Topic -> the basis vector its items lie near.
AXES = {"export": 0, "billing": 1}


@pytest.fixture
def corpus(app, make_user, make_board, monkeypatch):
    """Eight embedded ideas: four near the "export" axis, four near "billing"."""
    monkeypatch.setattr(results, "MIN_ITEMS", 4)
    author, board = make_user(), make_board()
    made = {}
    for topic, axis in AXES.items():
        made[topic] = []
        for i in range(4):
            idea = idea_ops.create_idea(author, board, f"{topic} idea {i}", f"About {topic}.")
            db.session.flush()
            vector = unit(axis, noise=0.05, seed=idea.id)
            db.session.add(
                Embedding(
                    item_type="idea",
                    item_id=idea.id,
                    model=MODEL_NAME,
                    dim=len(vector),
                    vector=vector.astype("<f4").tobytes(),
                    text_hash=f"h{idea.id}",
                )
            )
            made[topic].append(idea)
    db.session.commit()
    return made


def fake_fit(*topics: str):
    """A fit that finds `topics` (by their axes) and puts every item in its own topic's
    cluster, or, for an item whose topic is not found, in the first one."""

    def fit(texts, vectors, progress):
        centroids = [unit(AXES[t]) for t in topics]
        assignments = np.array([int(np.argmax([float(v @ c) for c in centroids])) for v in vectors])
        return FitResult(
            assignments=assignments,
            topics=[
                Topic(
                    key=k,
                    label=f"{t}, words",
                    top_words=[t, "words"],
                    size=int((assignments == k).sum()),
                    representative=[int(i) for i in np.flatnonzero(assignments == k)[:3]],
                    centroid=centroids[k],
                )
                for k, t in enumerate(topics)
            ],
            outlier_share=0.0,
            seconds=0.01,
        )

    return fit


def theme_of(idea) -> int | None:
    row = db.session.get(ThemeItem, ("idea", idea.id))
    return row.theme_id if row else None


def sizes_are_true() -> bool:
    counts = dict(
        db.session.execute(
            select(ThemeItem.theme_id, func.count()).group_by(ThemeItem.theme_id)
        ).all()
    )
    return all(t.size == counts.get(t.id, 0) for t in db.session.scalars(select(Theme)))


def first_fit(corpus):
    fit = refit(fit=fake_fit("export", "billing"))
    db.session.commit()
    by_label = {t.label.split(",")[0]: t for t in reads.active_themes()}
    assert fit.n_themes == 2 and set(by_label) == {"export", "billing"}
    return by_label["export"], by_label["billing"]


def staff_client(client, make_user):
    staff = make_user(role="staff")
    client.login(staff.email)
    return staff


def test_merge_moves_items_and_survives_refits(corpus, client, make_user):
    export, billing = first_fit(corpus)
    staff = staff_client(client, make_user)
    edits.rename_theme(staff, billing, "Billing and invoices")
    # A billing idea staff placed in the export theme by hand.
    edits.move_item(staff, "idea", corpus["billing"][0].id, export)
    db.session.commit()
    assert (export.size, billing.size) == (5, 3)

    page = client.get(f"/staff/themes/{export.id}").get_data(as_text=True)
    assert 'data-testid="merge-form"' in page
    response = client.post(
        f"/staff/themes/{export.id}/merge",
        {"target": billing.id},
        page=f"/staff/themes/{export.id}",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/themes/{billing.id}")
    db.session.expire_all()
    export, billing = db.session.get(Theme, export.id), db.session.get(Theme, billing.id)
    assert export.status is ThemeStatus.merged and export.merged_into_id == billing.id
    assert all(theme_of(i) == billing.id for ideas in corpus.values() for i in ideas)
    moved = db.session.get(ThemeItem, ("idea", corpus["billing"][0].id))
    assert moved.source == "staff"  # a staff placement stays one, now in the target
    assert db.session.get(ThemeItem, ("idea", corpus["export"][0].id)).source == "fit"
    assert (export.size, billing.size) == (0, 8) and sizes_are_true()
    index = client.get("/staff/themes/").get_data(as_text=True)
    assert f'data-theme-id="{export.id}"' not in index
    assert f'data-theme-id="{billing.id}"' in index
    merged_page = client.get(f"/staff/themes/{export.id}").get_data(as_text=True)
    assert 'data-testid="merged-into"' in merged_page

    # A refit finds both topics again: the export topic maps onto the merged theme, so its
    # items go to billing; the merged theme is not revived and nothing new is created.
    fit = refit(fit=fake_fit("export", "billing"))
    db.session.commit()
    db.session.expire_all()
    export, billing = db.session.get(Theme, export.id), db.session.get(Theme, billing.id)
    assert export.status is ThemeStatus.merged and billing.status is ThemeStatus.active
    assert (fit.created, fit.retired, fit.n_themes) == (0, 0, 1)
    assert billing.name == "Billing and invoices"
    assert all(theme_of(i) == billing.id for ideas in corpus.values() for i in ideas)
    assert db.session.get(ThemeItem, ("idea", corpus["billing"][0].id)).source == "staff"
    assert billing.size == 8 and export.size == 0 and sizes_are_true()
    assert (
        db.session.scalar(
            select(func.count()).select_from(ThemeSnapshot).where(ThemeSnapshot.fit_id == fit.id)
        )
        == 1
    )
    assert [t.id for t in reads.active_themes()] == [billing.id]

    # Between refits an item nearest the merged theme goes to its target, never into it.
    idea = idea_ops.create_idea(make_user(), corpus["export"][0].board, "export again", "")
    db.session.flush()
    placed = placement.place_item("idea", idea.id, unit(AXES["export"], noise=0.05, seed=99))
    db.session.commit()
    assert placed.id == billing.id and theme_of(idea) == billing.id

    # A refit that finds only the export topic keeps billing alive through the merge.
    fit = refit(fit=fake_fit("export"))
    db.session.commit()
    db.session.expire_all()
    billing = db.session.get(Theme, billing.id)
    assert billing.status is ThemeStatus.active and billing.name == "Billing and invoices"
    assert db.session.get(Theme, export.id).status is ThemeStatus.merged
    assert fit.created == 0 and sizes_are_true()


def test_merge_rules(corpus, make_user):
    export, billing = first_fit(corpus)
    staff, customer = make_user(role="staff"), make_user()
    with pytest.raises(OperationError):
        edits.merge_theme(staff, export, export)
    edits.merge_theme(staff, export, billing)
    db.session.commit()
    with pytest.raises(OperationError):
        edits.merge_theme(staff, export, billing)  # already merged
    with pytest.raises(OperationError):
        edits.merge_theme(staff, billing, export)  # into a merged theme
    with pytest.raises(OperationError):
        edits.move_item(staff, "idea", corpus["export"][0].id, export)
    with pytest.raises(OperationError):
        edits.move_item(staff, "idea", 10_000, billing)
    with pytest.raises(PermissionDenied):
        edits.merge_theme(customer, billing, export)
    with pytest.raises(PermissionDenied):
        edits.move_item(customer, "idea", corpus["export"][0].id, billing)


def test_merging_into_a_theme_that_is_merged_later_follows_the_chain(corpus, make_user):
    export, billing = first_fit(corpus)
    third = make_theme("security", 2)
    staff = make_user(role="staff")
    edits.merge_theme(staff, export, billing)
    edits.merge_theme(staff, billing, third)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Theme, export.id).merged_into_id == third.id
    assert reads.merge_target(db.session.get(Theme, export.id)).id == third.id
    fit = refit(fit=fake_fit("export", "billing"))
    db.session.commit()
    assert fit.created == 0
    assert all(theme_of(i) == third.id for ideas in corpus.values() for i in ideas)
    assert db.session.get(Theme, third.id).status is ThemeStatus.active and sizes_are_true()


def test_staff_move_survives_a_refit(corpus, client, make_user):
    export, billing = first_fit(corpus)
    staff_client(client, make_user)
    idea = corpus["export"][1]
    page = client.get(f"/staff/themes/{export.id}").get_data(as_text=True)
    assert f'data-idea-id="{idea.id}"' in page and f'id="move-idea-{idea.id}"' in page
    response = client.post(
        f"/staff/themes/{export.id}/items/idea/{idea.id}/move",
        {"target": billing.id},
        page=f"/staff/themes/{export.id}",
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(ThemeItem, ("idea", idea.id))
    assert (row.theme_id, row.source) == (billing.id, "staff")
    assert row.similarity < 0.5  # an export idea, far from billing's centroid
    assert db.session.get(Theme, export.id).size == 3
    assert db.session.get(Theme, billing.id).size == 5 and sizes_are_true()
    page = client.get(f"/staff/themes/{billing.id}").get_data(as_text=True)
    assert f'data-idea-id="{idea.id}"' in page

    refit(fit=fake_fit("export", "billing"))
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(ThemeItem, ("idea", idea.id))
    assert (row.theme_id, row.source) == (billing.id, "staff")
    assert (db.session.get(Theme, export.id).size, db.session.get(Theme, billing.id).size) == (
        3,
        5,
    )
    assert sizes_are_true()
    # place_item (a re-embedding between refits) leaves a staff placement alone too.
    assert placement.place_item("idea", idea.id, unit(AXES["export"])).id == billing.id


def test_move_into_a_merged_theme_is_refused(corpus, client, make_user):
    export, billing = first_fit(corpus)
    third = make_theme("security", 2)
    staff = staff_client(client, make_user)
    edits.merge_theme(staff, third, billing)
    db.session.commit()
    idea = corpus["export"][0]
    response = client.post(
        f"/staff/themes/{export.id}/items/idea/{idea.id}/move",
        {"target": third.id},
        page=f"/staff/themes/{export.id}",
    )
    assert response.status_code == 302
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not a valid choice" in followed
    db.session.expire_all()
    assert theme_of(idea) == export.id
    unknown_type = client.post(
        f"/staff/themes/{export.id}/items/comment/1/move",
        {"target": billing.id},
        page=f"/staff/themes/{export.id}",
    )
    assert unknown_type.status_code == 404
    missing = client.post(
        f"/staff/themes/{export.id}/items/feedback/999/move",
        {"target": billing.id},
        page=f"/staff/themes/{export.id}",
    )
    assert "There is no such item" in client.get(missing.headers["Location"]).get_data(as_text=True)


def test_theme_page_shows_quotes_words_and_chart(corpus, client, make_user):
    export, _ = first_fit(corpus)
    staff_client(client, make_user)
    html = client.get(f"/staff/themes/{export.id}").get_data(as_text=True)
    assert 'data-testid="quotes"' in html
    for idea in corpus["export"][:3]:  # the fit's representatives
        assert idea.title in html.split('data-testid="quotes"', 1)[1].split("</section>")[0]
    assert "About export." in html
    assert "Top words: export, words" in html
    assert 'data-testid="weekly-chart"' in html
    assert html.count('data-testid="theme-idea"') == 4
