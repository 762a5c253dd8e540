"""The API keeps the built-in kind as an idea's `status` and adds its custom status."""

from __future__ import annotations

from tests.test_api import API, error_of
from tests.test_statuses import add_status, admin, defaults  # noqa: F401  (fixtures)
from vocportal.api.operations import create_token
from vocportal.extensions import db
from vocportal.ideas.models import IdeaStatus


def test_api_status_is_the_kind_plus_the_custom_one(client, admin, defaults, make_idea, make_user):  # noqa: F811, E501
    staff = make_user(role="staff")
    public = add_status(admin, "Public beta", IdeaStatus.in_progress)
    hidden = add_status(admin, "Internal QA", IdeaStatus.in_progress, public=False)
    idea = make_idea()
    staff_secret = create_token(staff, "Staff", "write")[1]
    reader_secret = create_token(make_user(), "Reader", "read")[1]
    db.session.commit()

    def call(method, path, secret, **kwargs):
        headers = {"Authorization": f"Bearer {secret}"}
        return client.http.open(API + path, method=method, headers=headers, **kwargs)

    made = call(
        "POST",
        f"/ideas/{idea.id}/status",
        staff_secret,
        json={"status": "in_progress", "status_id": hidden.id},
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["new_status"] == "in_progress"
    assert made.get_json()["new_status_id"] == hidden.id

    as_staff = call("GET", f"/ideas/{idea.id}", staff_secret).get_json()
    assert (as_staff["status"], as_staff["status_id"], as_staff["status_name"]) == (
        "in_progress",
        hidden.id,
        "Internal QA",
    )
    as_customer = call("GET", f"/ideas/{idea.id}", reader_secret).get_json()
    assert (as_customer["status"], as_customer["status_name"]) == ("in_progress", "In progress")
    assert as_customer["status_id"] == defaults[IdeaStatus.in_progress].id

    # A status of another kind, or none at all, is refused with a 4xx.
    wrong = call(
        "POST",
        f"/ideas/{idea.id}/status",
        staff_secret,
        json={"status": "shipped", "status_id": public.id},
    )
    assert "not one of this kind" in error_of(wrong, 422)["fields"]["status"][0]
    missing = call(
        "POST",
        f"/ideas/{idea.id}/status",
        staff_secret,
        json={"status": "planned", "status_id": 123456},
    )
    error_of(missing, 422)
