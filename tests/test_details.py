"""Small details people notice (issue 12): the pager says what the sort means, timelines read
as sentences, confirmations sit next to what they confirm, errors sit on their fields, and the
changelog picks ideas from a searchable checkbox list."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from vocportal.extensions import db
from vocportal.ideas import commenting, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.models import Comment, Idea, IdeaStatus

pytestmark = pytest.mark.usefixtures("embedded_redis_url")


def text_of(html: str) -> str:
    """The words of some HTML, as a reader sees them."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def element(html: str, element_id: str) -> str:
    """The HTML inside the element with this id (elements of the same tag may nest)."""
    start = re.search(rf'<(\w+)[^>]*\sid="{re.escape(element_id)}"[^>]*>', html)
    assert start, f"no element #{element_id}"
    tag, depth, pos = start.group(1), 1, start.end()
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", html[pos:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return html[pos : pos + match.start()]
    raise AssertionError(f"#{element_id} is not closed")


def global_flashes(html: str) -> str:
    """What the page-wide confirmation area shows (confirmations beside things are
    `flash-inline`)."""
    return "".join(re.findall(r'<p class="flash flash-\w+" role="status">.*?</p>', html, re.S))


# --- 1. the pager says what the sort means -------------------------------------------------


def test_pager_labels_follow_the_sort(client, make_idea):
    for i in range(25):
        make_idea(title=f"Filler idea number {i}")
    for sort in ("trending", "top"):
        first = text_of(client.get(f"/?sort={sort}").get_data(as_text=True))
        second = text_of(client.get(f"/?sort={sort}&page=2").get_data(as_text=True))
        assert "Next page →" in first and "Older" not in first, sort
        assert "← Previous page" in second and "Newer" not in second, sort
    first = text_of(client.get("/?sort=new").get_data(as_text=True))
    second = text_of(client.get("/?sort=new&page=2").get_data(as_text=True))
    assert "Older →" in first and "Next page" not in first
    assert "← Newer" in second and "Previous page" not in second
    searched = text_of(client.get("/?q=filler").get_data(as_text=True))
    assert "Next page →" in searched and "Older" not in searched


# --- 2. timelines read as sentences --------------------------------------------------------


def test_customer_timeline_entries_read_as_sentences(client, make_user, make_idea):
    staff, hana = make_user(role="staff"), make_user(name="Hana")
    liked = make_idea(title="Dark mode")
    support.vote(hana, liked)
    commenting.add_comment(hana, liked, "Please")
    make_idea(title="Calendar sync", author=hana)
    db.session.commit()
    client.login(staff.email)
    html = client.get(f"/staff/people/{hana.id}").get_data(as_text=True)
    entries = {
        kind: text_of(body)
        for kind, body in re.findall(
            r'<li data-testid="timeline-entry" data-kind="(\w+)">(.*?)</li>', html, re.S
        )
    }
    assert entries["vote"].endswith("Voted for “Dark mode”"), entries
    assert "Vote Voted" not in html
    assert entries["comment"].endswith("Commented on “Dark mode”: Please"), entries
    assert entries["idea"].endswith("Posted “Calendar sync”"), entries


# --- 3. confirmations next to what they confirm --------------------------------------------


def test_comment_confirmation_is_beside_the_new_comment(client, make_user, make_idea):
    idea = make_idea()
    client.login(make_user().email)
    page = f"/ideas/{idea.id}"
    response = client.post(f"{page}/comments", {"body": "We need this"}, page=page)
    comment = db.session.scalar(select(Comment).where(Comment.idea_id == idea.id))
    assert response.headers["Location"].endswith(f"{page}#c{comment.id}")
    html = client.get(page).get_data(as_text=True)
    beside = element(html, f"c{comment.id}")
    assert re.search(r'role="status"[^>]*>\s*Comment posted', beside)
    assert "Comment posted" not in global_flashes(html)
    assert html.count("Comment posted") == 1


def test_vote_and_follow_confirmations_are_beside_their_buttons(client, make_user, make_idea):
    idea = make_idea()
    client.login(make_user().email)
    page = f"/ideas/{idea.id}"
    voted = client.post(f"{page}/vote", page=page, headers={"Referer": f"http://portal.test{page}"})
    assert voted.headers["Location"].endswith(f"{page}#vote")
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'role="status"[^>]*>\s*Your vote is counted', element(html, "vote"))
    assert "Your vote" not in global_flashes(html)

    followed = client.post(f"{page}/follow", {"follow": "0"}, page=page)
    assert followed.headers["Location"].endswith(f"{page}#actions")
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'role="status"[^>]*>\s*You will no longer hear', element(html, "actions"))
    assert "no longer hear" not in global_flashes(html)


def test_status_and_edit_confirmations_are_beside_them(client, make_user, make_idea):
    staff = make_user(role="staff")
    idea = make_idea()
    client.login(staff.email)
    page = f"/ideas/{idea.id}"
    changed = client.post(f"{page}/status", {"status": "planned", "message": "Soon"}, page=page)
    assert changed.headers["Location"].endswith(f"{page}#status-panel")
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'role="status"[^>]*>\s*Status set to Planned', element(html, "status-panel"))
    assert "Status set to" not in global_flashes(html)
    # The anchors are unique on the staff's idea page (its forms have fields like `status`).
    assert {k: n for k, n in _Inputs(html).ids.items() if n > 1} == {}

    edited = client.post(
        f"{page}/edit",
        {"title": "A better title", "body": "", "board": idea.board_id},
        page=f"{page}/edit",
    )
    assert edited.headers["Location"].endswith(f"{page}#idea")
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'role="status"[^>]*>\s*Idea updated', element(html, "idea"))
    assert "Idea updated" not in global_flashes(html)


def test_other_pages_keep_the_page_wide_confirmation(client, make_user, make_idea):
    idea = make_idea()
    client.login(make_user().email)
    # A vote from the board goes back to the board, which shows the message at the top.
    voted = client.post(
        f"/ideas/{idea.id}/vote", page="/", headers={"Referer": "http://portal.test/"}
    )
    assert voted.headers["Location"] == "http://portal.test/"
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'role="status"[^>]*>\s*Your vote is counted', global_flashes(html))
    assert "flash-success" in global_flashes(html) and "#" not in global_flashes(html)


# --- 4. every form error on its field ------------------------------------------------------


class _Inputs(HTMLParser):
    """The form controls of a page and the ids of everything."""

    def __init__(self, html: str):
        super().__init__()
        self.controls: dict[str, dict] = {}
        self.ids: dict[str, int] = {}
        self.texts: dict[str, str] = {}
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs and attrs.get("type") != "hidden":  # WTForms' csrf_token in each form
            self.ids[attrs["id"]] = self.ids.get(attrs["id"], 0) + 1
            if tag == "small":
                self._open.append(attrs["id"])
        if tag in {"input", "select", "textarea"} and attrs.get("name"):
            self.controls[attrs["name"]] = attrs

    def handle_data(self, data):
        for element_id in self._open:
            self.texts[element_id] = self.texts.get(element_id, "") + data

    def handle_endtag(self, tag):
        if tag == "small" and self._open:
            self._open.pop()


def assert_marked(html: str, name: str, message: str) -> None:
    page = _Inputs(html)
    control = page.controls[name]
    assert control.get("aria-invalid") == "true", (name, control)
    described = control.get("aria-describedby", "").split()
    assert described, (name, control)
    for ref in described:
        assert page.ids.get(ref) == 1, f"{name}: aria-describedby {ref} is not one element"
    said = " ".join(page.texts.get(ref, "") for ref in described)
    assert message in said, (name, said)


def test_new_idea_errors_are_on_every_field(client, make_user, make_board):
    make_board()
    client.login(make_user().email)
    response = client.post(
        "/ideas/new", {"title": "", "body": "x" * 10_001, "board": "99999"}, page="/ideas/new"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert_marked(html, "title", "This field is required.")
    assert_marked(html, "board", "Not a valid choice")
    assert_marked(html, "body", "10000 characters")
    # The similar-ideas box still describes the title.
    assert "similar" in _Inputs(html).controls["title"]["aria-describedby"].split()


def test_login_and_signup_errors_are_on_their_fields(client):
    login = client.post("/login", {"email": "", "password": ""}, page="/login")
    html = login.get_data(as_text=True)
    assert_marked(html, "email", "This field is required.")
    assert_marked(html, "password", "This field is required.")
    assert "aria-invalid" not in str(_Inputs(html).controls["remember"])

    signup = client.post(
        "/signup", {"email": "not-an-email", "display_name": "", "password": "short"}
    )
    html = signup.get_data(as_text=True)
    assert signup.status_code == 400
    assert_marked(html, "email", "Invalid email address.")
    assert_marked(html, "display_name", "This field is required.")
    assert_marked(html, "password", "at least 8")
    # The password hint is read with the field too.
    assert "At least 8 characters" in " ".join(
        _Inputs(html).texts.get(ref, "")
        for ref in _Inputs(html).controls["password"]["aria-describedby"].split()
    )


def test_a_field_with_two_errors_keeps_unique_ids(client, make_user, make_idea):
    author = make_user()
    idea = make_idea(author=author)
    client.login(author.email)
    # Too short and on two lines: two errors on one field, in one message element.
    page = f"/ideas/{idea.id}/edit"
    response = client.post(page, {"title": "a\nb", "body": "", "board": idea.board_id}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert all(count == 1 for count in _Inputs(html).ids.values()), _Inputs(html).ids
    assert_marked(html, "title", "line")
    assert_marked(html, "title", "between 4 and 160")


# --- 5. the changelog picks ideas from a searchable checkbox list --------------------------


def test_changelog_form_is_a_filterable_checkbox_list(client, make_user, make_idea, app):
    staff = make_user(role="staff")
    opened = make_idea(title="Keyboard shortcuts", votes=9)
    planned = make_idea(title="Dark mode", votes=2)
    building = make_idea(title="Offline timer")
    ideas.change_status(staff, planned, IdeaStatus.planned)
    ideas.change_status(staff, building, IdeaStatus.in_progress)
    db.session.commit()
    client.login(staff.email)
    html = client.get("/changelog/new").get_data(as_text=True)
    assert "<select" not in html and "Ctrl" not in html
    # A filter box that the script uses, a script file (no inline script under the CSP).
    assert re.search(r'<input[^>]*type="search"[^>]*data-filter-list="idea-picker"', html)
    assert re.search(r'<script src="/static/js/changelog\.js[^"]*" nonce="[^"]+"', html)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert 'id="idea-picker"' in html
    picker = element(html, "idea-picker")
    rows = re.findall(r"<li[^>]*data-filter-text=\"([^\"]*)\"[^>]*>(.*?)</li>", picker, re.S)
    assert len(rows) == 3
    # In progress and planned first, then the rest by votes.
    assert picker.index("Offline timer") < picker.index("Dark mode") < picker.index("Keyboard")
    assert "dark mode" in rows[1][0].lower()
    first = text_of(rows[0][1])
    assert "Offline timer" in first and "In progress" in first and "1 vote" in first
    third = text_of(rows[2][1])
    assert "Keyboard shortcuts" in third and "10 votes" in third and "Open" in third
    for idea in (opened, planned, building):
        box = re.search(rf'<input[^>]*value="{idea.id}"[^>]*>', html).group(0)
        assert 'type="checkbox"' in box and 'name="ideas"' in box

    response = client.post(
        "/changelog/new",
        {"title": "Spring release", "ideas": [str(planned.id), str(building.id)]},
        page="/changelog/new",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, planned.id).status is IdeaStatus.shipped
    assert db.session.get(Idea, building.id).status is IdeaStatus.shipped
    assert db.session.get(Idea, opened.id).status is IdeaStatus.open


def test_changelog_errors_keep_the_ticked_ideas(client, make_user, make_idea):
    staff = make_user(role="staff")
    wanted, other = make_idea(title="Dark mode"), make_idea(title="Reports")
    client.login(staff.email)
    bad = client.post(
        "/changelog/new", {"title": "", "ideas": [str(wanted.id)]}, page="/changelog/new"
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert re.search(rf'<input[^>]*value="{wanted.id}"[^>]*checked', html)
    assert not re.search(rf'<input[^>]*value="{other.id}"[^>]*checked', html)
    assert_marked(html, "title", "This field is required.")
