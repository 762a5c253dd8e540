"""Tags: staff make them (bad input refused on the form), put them on ideas and feedback one
by one or in bulk, and customers see and filter by public tags only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.tags import operations as tags
from vocportal.tags.models import IdeaTag, Tag


@pytest.fixture
def make_tag(app, make_user):
    staff = None

    def make(name: str, public: bool = True, colour: str = "#2563eb") -> Tag:
        nonlocal staff
        staff = staff or make_user(role="staff")
        tag = tags.save_tag(staff, None, name, colour, public)
        db.session.commit()
        return tag

    return make


def test_staff_create_edit_and_delete_tags_with_bad_input_refused(client, make_user, make_idea):
    staff = make_user(role="staff")
    client.login(staff.email)
    created = client.post(
        "/admin/tags", {"name": "Mobile", "colour": "#ff0000", "public": "y"}, page="/admin/tags"
    )
    assert created.status_code == 302
    tag = db.session.scalar(select(Tag).where(Tag.slug == "mobile"))
    assert (tag.name, tag.colour, tag.public) == ("Mobile", "#ff0000", True)
    # Bad input: a message on the field, and the person's text kept.
    for data, message in [
        ({"name": "mobile", "colour": "#00ff00"}, "already exists"),
        ({"name": "Slow sync", "colour": "red"}, "#rrggbb"),
        ({"name": "", "colour": "#00ff00"}, "This field is required"),
        ({"name": "x" * 41, "colour": "#00ff00"}, "40 characters"),
        ({"name": "Two\nlines", "colour": "#00ff00"}, "one line"),
        ({"name": "!!!", "colour": "#00ff00"}, "letter or digit"),
    ]:
        refused = client.post("/admin/tags", data, page="/admin/tags")
        html = refused.get_data(as_text=True)
        assert refused.status_code == 400 and message in html, (data, html[-3000:])
        assert 'class="field-error"' in html
    html = client.post("/admin/tags", {"name": "Slow sync", "colour": "red"}, page="/admin/tags")
    assert 'value="Slow sync"' in html.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Tag.id))) == 1
    # Edit: internal now.
    client.post(
        f"/admin/tags/{tag.id}", {"name": "Mobile app", "colour": "#00aa00"}, page="/admin/tags"
    )
    db.session.refresh(tag)
    assert (tag.name, tag.slug, tag.colour, tag.public) == (
        "Mobile app",
        "mobile-app",
        "#00aa00",
        False,
    )
    idea = make_idea()
    tags.tag_ideas(staff, [idea.id], [tag.id])
    db.session.commit()
    deleted = client.post(f"/admin/tags/{tag.id}/delete", page="/admin/tags")
    assert deleted.status_code == 302
    assert db.session.scalar(select(func.count(Tag.id))) == 0
    assert db.session.scalar(select(func.count()).select_from(IdeaTag)) == 0
    from vocportal.audit.models import AuditEntry

    logged = db.session.scalars(
        select(AuditEntry.summary).where(AuditEntry.target_type == "tag").order_by(AuditEntry.id)
    ).all()
    assert logged == ["Tag Mobile created", "Tag Mobile app changed", "Tag Mobile app deleted"]


def test_customers_may_not_make_or_apply_tags(client, make_user, make_idea, make_tag):
    customer = make_user()
    tag = make_tag("Billing")
    idea = make_idea()
    with pytest.raises(PermissionDenied):
        tags.save_tag(customer, None, "Mine", "#000000", True)
    with pytest.raises(PermissionDenied):
        tags.tag_ideas(customer, [idea.id], [tag.id])
    client.login(customer.email)
    assert client.get("/admin/tags").status_code == 403
    assert client.post(f"/ideas/{idea.id}/tags", page="/").status_code in (403, 404, 405)
    assert (
        client.post(f"/admin/ideas/{idea.id}/tags", {"tags": tag.id}, page="/").status_code == 403
    )


def test_public_tags_show_to_customers_internal_ones_only_to_staff(
    client, make_user, make_idea, make_tag
):
    public, internal = make_tag("Integrations"), make_tag("Churn risk", public=False)
    idea = make_idea(title="Sync with Salesforce")
    staff = make_user(role="staff")
    client.login(staff.email)
    saved = client.post(
        f"/admin/ideas/{idea.id}/tags",
        {"tags": [public.id, internal.id]},
        page="/admin/tags",
    )
    assert saved.status_code == 302
    staff_page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Integrations" in staff_page and "Churn risk" in staff_page
    assert "Churn risk" in client.get("/").get_data(as_text=True)
    client.logout()
    for who in (None, make_user()):
        if who is not None:
            client.login(who.email)
        page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
        assert "Integrations" in page and "Churn risk" not in page and "churn-risk" not in page
        board = client.get("/").get_data(as_text=True)
        assert "Integrations" in board and "Churn risk" not in board
        # An internal tag is no filter for customers: as if it did not exist.
        assert client.get("/?tag=churn-risk").status_code == 404
        if who is not None:
            client.logout()


def test_board_list_filters_by_tag(client, make_user, make_idea, make_tag):
    staff = make_user(role="staff")
    tag = make_tag("Mobile")
    tagged = make_idea(title="Offline mode on phones")
    make_idea(title="Dark mode")
    tags.tag_ideas(staff, [tagged.id], [tag.id])
    db.session.commit()
    html = client.get("/?tag=mobile").get_data(as_text=True)
    assert "Offline mode on phones" in html and "Dark mode" not in html
    assert 'data-testid="tag-filtered"' in html
    everything = client.get("/").get_data(as_text=True)
    assert "Offline mode on phones" in everything and "Dark mode" in everything
    assert client.get("/?tag=nope").status_code == 404


def test_tag_operations_refuse_unknown_tags_and_empty_selections(
    app, make_user, make_idea, make_tag
):
    staff = make_user(role="staff")
    idea = make_idea()
    tag = make_tag("Reports")
    with pytest.raises(OperationError):
        tags.tag_ideas(staff, [idea.id], [tag.id + 1000])
    with pytest.raises(OperationError):
        tags.tag_ideas(staff, [], [tag.id])
    assert tags.tag_ideas(staff, [idea.id], [tag.id]) == 1
    assert tags.tag_ideas(staff, [idea.id], [tag.id]) == 0  # already there
    assert tags.tag_ideas(staff, [idea.id], [tag.id], add=False) == 1


def _feedback(text: str):
    from vocportal.feedback import operations as feedback
    from vocportal.feedback.models import FeedbackSource

    item, _ = feedback.create_feedback(
        text=text, source=FeedbackSource.portal, email=f"{text.split()[0].lower()}@example.com"
    )
    db.session.commit()
    return item


def test_bulk_tagging_from_the_inbox_and_the_feedback_list(client, make_user, make_idea, make_tag):
    from vocportal.tags.models import FeedbackTag

    staff = make_user(role="staff")
    mobile, churn = make_tag("Mobile"), make_tag("Churn risk", public=False)
    ideas = [make_idea(title=f"Phone idea {n}") for n in range(3)]
    items = [_feedback("Apps crash"), _feedback("Sync is slow")]
    client.login(staff.email)
    inbox = client.get("/staff/inbox").get_data(as_text=True)
    assert 'data-testid="bulk-tags"' in inbox and "Churn risk" in inbox
    tagged = client.post(
        "/admin/bulk-tags/ideas",
        {
            "ideas": [ideas[0].id, ideas[1].id],
            "tags": [mobile.id, churn.id],
            "action": "add",
            "next": "/staff/inbox",
        },
        page="/staff/inbox",
        follow_redirects=True,
    )
    assert "4 tags added." in tagged.get_data(as_text=True)
    pairs = {tuple(r) for r in db.session.execute(select(IdeaTag.idea_id, IdeaTag.tag_id))}
    assert pairs == {(i.id, t.id) for i in ideas[:2] for t in (mobile, churn)}
    # The inbox filters by any tag, internal ones too, for staff.
    filtered = client.get("/staff/inbox?tag=churn-risk").get_data(as_text=True)
    assert "Phone idea 0" in filtered and "Phone idea 2" not in filtered
    removed = client.post(
        "/admin/bulk-tags/ideas",
        {"ideas": [ideas[0].id], "tags": [churn.id], "action": "remove"},
        page="/staff/inbox",
        follow_redirects=True,
    )
    assert "1 tag removed." in removed.get_data(as_text=True)
    # Bad input: nothing ticked, an id no row has, a number no id can be.
    for data in (
        {"ideas": [ideas[0].id]},
        {"tags": [mobile.id]},
        {"ideas": [ideas[0].id, 999_999], "tags": [mobile.id]},
        {"ideas": ["99999999999999"], "tags": [mobile.id]},
    ):
        refused = client.post("/admin/bulk-tags/ideas", data, page="/staff/inbox")
        assert refused.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(IdeaTag)) == 3
    listing = client.get("/staff/feedback").get_data(as_text=True)
    assert 'id="feedback-tag-form"' in listing
    done = client.post(
        "/admin/bulk-tags/feedback",
        {"items": [i.id for i in items], "tags": [churn.id], "next": "/staff/feedback"},
        page="/staff/feedback",
        follow_redirects=True,
    )
    assert "2 tags added." in done.get_data(as_text=True)
    assert {r for r in db.session.scalars(select(FeedbackTag.feedback_id))} == {i.id for i in items}
    only = client.get("/staff/feedback?tag=churn-risk").get_data(as_text=True)
    assert "Apps crash" in only and "Sync is slow" in only
    assert (
        client.get("/staff/feedback?tag=mobile").get_data(as_text=True).count("feedback-row") == 0
    )


def test_staff_theme_page_shows_its_items_tags(client, make_user, make_idea, make_tag):
    from tests.test_api import _theme
    from vocportal.themes.models import ThemeItem

    staff = make_user(role="staff")
    mobile, churn = make_tag("Mobile"), make_tag("Churn risk", public=False)
    idea = make_idea(title="Offline phones")
    item = _feedback("Phones lose data")
    theme = _theme("offline phones", idea)
    db.session.add(ThemeItem(item_type="feedback", item_id=item.id, theme_id=theme.id))
    tags.tag_ideas(staff, [idea.id], [mobile.id])
    tags.tag_feedback(staff, [item.id], [churn.id])
    db.session.commit()
    client.login(staff.email)
    html = client.get(f"/staff/themes/{theme.id}").get_data(as_text=True)
    ideas_part = html.split('data-testid="theme-ideas"')[1].split('data-testid="theme-feedback"')[0]
    feedback_part = html.split('data-testid="theme-feedback"')[1]
    assert 'data-tag="mobile"' in ideas_part and 'data-tag="churn-risk"' not in ideas_part
    assert 'data-tag="churn-risk"' in feedback_part
    assert 'data-testid="bulk-tags"' in html


def test_internal_tags_reach_no_customer_surface(client, make_user, make_idea, make_tag):
    """Pages, the idea's feed and the similar-ideas box: an internal tag is nowhere."""
    staff = make_user(role="staff")
    internal = make_tag("Secret churn", public=False)
    idea = make_idea(title="Offline timers")
    tags.tag_ideas(staff, [idea.id], [internal.id])
    db.session.commit()
    customer = make_user()
    client.login(customer.email)
    for url in (
        "/",
        f"/ideas/{idea.id}",
        f"/ideas/{idea.id}/feed.atom",
        "/roadmap",
        "/ideas/new",
        f"/?tag={internal.slug}",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "Secret churn" not in body and internal.slug not in body, url
