"""Tags and custom fields in the JSON API: payloads, filters, posting answers and the OpenAPI
document; internal tags and staff-only fields reach staff tokens only."""

from __future__ import annotations

import pytest

from tests.test_api import api, error_of, make_token  # noqa: F401  (fixtures)
from vocportal.extensions import db
from vocportal.ideas import operations as idea_ops
from vocportal.tags import fields
from vocportal.tags import operations as tags

pytestmark = pytest.mark.usefixtures("embedded_redis_url")


@pytest.fixture
def tagged(app, make_user, make_board):
    """An idea with a public and an internal tag, and a public and a staff-only answer."""
    admin = make_user(role="admin")
    board = make_board(name="Reports")
    plan = fields.add_field(admin, board.id, "Plan", "single", "Free\nPro")
    deal = fields.add_field(admin, board.id, "Deal size", "number", public=False)
    public = tags.save_tag(admin, None, "Reporting", "#2563eb", True)
    internal = tags.save_tag(admin, None, "Churn risk", "#dc2626", False)
    idea = idea_ops.create_idea(
        admin, board, "PDF exports", "", answers={plan.id: "Pro", deal.id: 25000}
    )
    other = idea_ops.create_idea(admin, board, "Dark mode", "", answers={plan.id: "Free"})
    tags.tag_ideas(admin, [idea.id], [public.id, internal.id])
    db.session.commit()
    return {"idea": idea, "other": other, "plan": plan, "deal": deal, "board": board}


def test_customers_get_public_tags_and_fields_staff_get_all(api, make_token, make_user, tagged):  # noqa: F811
    idea = tagged["idea"]
    for token in (None, make_token()):
        body = api.get(f"/ideas/{idea.id}", token=token).get_json()
        assert [t["slug"] for t in body["tags"]] == ["reporting"]
        assert body["custom_fields"] == [
            {
                "field_id": tagged["plan"].id,
                "label": "Plan",
                "type": "single",
                "public": True,
                "value": "Pro",
            }
        ]
        listed = api.get("/ideas?tag=reporting", token=token).get_json()
        assert [i["id"] for i in listed["items"]] == [idea.id]
        assert "Churn risk" not in str(listed) and "Deal size" not in str(listed)
        error_of(api.get("/ideas?tag=churn-risk", token=token), 422)
        error_of(api.get(f"/ideas?field={tagged['deal'].id}:25000", token=token), 422)
    staff = make_token(make_user(role="staff"), "read")
    body = api.get(f"/ideas/{idea.id}", token=staff).get_json()
    assert {t["slug"] for t in body["tags"]} == {"reporting", "churn-risk"}
    assert {(a["label"], a["value"]) for a in body["custom_fields"]} == {
        ("Plan", "Pro"),
        ("Deal size", 25000.0),
    }
    listed = api.get("/ideas?tag=churn-risk", token=staff).get_json()
    assert [i["id"] for i in listed["items"]] == [idea.id]
    by_field = api.get(f"/ideas?field={tagged['plan'].id}:Free", token=staff).get_json()
    assert [i["id"] for i in by_field["items"]] == [tagged["other"].id]
    error_of(api.get("/ideas?field=plan", token=staff), 422)


def test_posting_an_idea_with_answers(api, make_token, tagged):  # noqa: F811
    token = make_token()
    board, plan = tagged["board"], tagged["plan"]
    sent = {"board": board.slug, "title": "Usage reports", "custom_fields": {str(plan.id): "Pro"}}
    made = api.post("/ideas", token=token, json=sent)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["custom_fields"][0]["value"] == "Pro"
    bad = dict(sent, title="Usage reports again", custom_fields={str(plan.id): "Gold"})
    error = error_of(api.post("/ideas", token=token, json=bad), 422)
    assert f"field_{plan.id}" in str(error)


def test_feedback_payload_carries_its_tags(api, make_token, make_user, tagged):  # noqa: F811
    staff = make_user(role="staff")
    token = make_token(staff)
    made = api.post("/feedback", token=token, json={"text": "Need PDFs", "email": "a@example.com"})
    item_id = made.get_json()["id"]
    assert made.get_json()["tags"] == []
    tags.tag_feedback(staff, [item_id], [t.id for t in tags.all_tags(staff)])
    db.session.commit()
    again = api.post("/feedback", token=token, json={"text": "Need PDFs", "email": "a@example.com"})
    assert again.status_code == 200
    assert {t["slug"] for t in again.get_json()["tags"]} == {"reporting", "churn-risk"}


def test_openapi_documents_tags_and_custom_fields(api):  # noqa: F811
    spec = api.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert {"TagRef", "Answer"} <= set(schemas)
    idea = schemas["Idea"]["properties"]
    assert idea["tags"]["items"] == {"$ref": "#/components/schemas/TagRef"}
    assert idea["custom_fields"]["items"] == {"$ref": "#/components/schemas/Answer"}
    params = {p["name"] for p in spec["paths"]["/api/v1/ideas"]["get"]["parameters"]}
    assert {"tag", "field"} <= params
    assert "custom_fields" in schemas["IdeaIn"]["properties"]
    assert "tags" in schemas["Feedback"]["properties"]


def test_exports_carry_tags_and_every_custom_field(client, make_user, tagged):
    import csv
    import io
    import json

    from vocportal.feedback import operations as feedback
    from vocportal.feedback.models import FeedbackSource

    staff = make_user(role="staff")
    item, _ = feedback.create_feedback(
        text="PDF please", source=FeedbackSource.portal, email="pdf@example.com"
    )
    tags.tag_feedback(staff, [item.id], [t.id for t in tags.all_tags(staff)])
    db.session.commit()
    client.login(staff.email)
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/export/ideas.csv").text)))
    idea_row = next(r for r in rows if r["id"] == str(tagged["idea"].id))
    plan, deal = tagged["plan"], tagged["deal"]
    assert idea_row["tags"] == "Churn risk; Reporting"
    assert idea_row[f"field {plan.id}: Plan"] == "Pro"
    assert idea_row[f"field {deal.id}: Deal size"] == "25000"
    other_row = next(r for r in rows if r["id"] == str(tagged["other"].id))
    assert other_row["tags"] == "" and other_row[f"field {deal.id}: Deal size"] == ""
    exported = json.loads(client.get("/staff/export/feedback.json").data)
    assert exported[0]["tags"] == "Churn risk; Reporting"
