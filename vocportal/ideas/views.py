"""The public idea board, idea pages, and what people do there (comments' own pages:
`comment_views`)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from vocportal.errors import OperationError
from vocportal.extensions import db, limiter
from vocportal.forms import ButtonForm, commit_or_show, valid_or_400
from vocportal.ideas import (
    comment_views,  # noqa: F401  (its routes join bp)
    commenting,
    hybrid,
    page,
    statuses,
    support,
    target_views,  # noqa: F401  (its routes join bp)
)
from vocportal.ideas import operations as ops
from vocportal.ideas.blueprint import author_or_staff, back_to, bp, current_person, flash_at
from vocportal.ideas.board_access import board_for, boards_for
from vocportal.ideas.forms import CommentForm, IdeaForm, StatusForm
from vocportal.ideas.listing import idea_rows
from vocportal.ideas.models import Idea, IdeaStatus
from vocportal.pagecache import cache_for_anonymous
from vocportal.pagination import page_of
from vocportal.permissions import verified_required
from vocportal.ratelimits import post_limit
from vocportal.tags import fields as tag_fields
from vocportal.tags import operations as tag_ops
from vocportal.tags.filters import from_args as list_filters
from vocportal.tags.forms import answers, with_answers
from vocportal.web import per_id_url

#: What a person whose post moderation held is told (the note on the post says the rest).
HELD = "Thanks, it is saved."


#: Voting and un-voting draw on one allowance.
_vote_limit = limiter.shared_limit(
    lambda: current_app.config["LIMIT_VOTE"], scope="vote", methods=["POST"]
)


def _idea_or_404(idea_id: int):
    idea = ops.get_idea_for(current_person(), idea_id)
    if idea is None:
        abort(404)
    return idea


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


@bp.get("/")
@cache_for_anonymous
def index():
    q = request.args.get("q", "")[:200]
    default_sort = "relevance" if q.strip() else "trending"
    sort = request.args.get("sort") or default_sort
    if sort not in ops.SORTS or (sort == "relevance" and not q.strip()):
        sort = default_sort
    status = None
    if request.args.get("status"):
        try:
            status = IdeaStatus(request.args["status"])
        except ValueError:
            abort(404)
    board = None
    if request.args.get("board"):
        board = board_for(current_person(), request.args["board"]) or abort(404)
    # ?tag= and ?field_<id>= (the chosen board's fields): vocportal.tags.filters.
    filters = list_filters(current_person(), request.args, [board.id] if board else []) or abort(
        404
    )
    query = ops.IdeaQuery(
        sort=sort, status=status, board=board, q=q, filters=filters.clauses(Idea.id)
    )
    listing = ops.board_listing(query, current_person())
    # Plain rows (columns, names and the viewer's vote in one query), not ORM objects.
    page = page_of(
        idea_rows(listing.stmt, current_person()),
        request.args.get("page", 1, type=int),
        current_app.config["IDEAS_PER_PAGE"],
        count=listing.stmt if q.strip() else False,
        rows=True,
    )
    boards = _boards()
    index_url = url_for("ideas.index")
    html = render_template(
        "ideas/index.html",
        page=page,
        query=query,
        search=listing.search,
        default_sort=default_sort,
        boards=boards,
        index_url=index_url,
        board_links={b.id: f"{index_url}?{urlencode({'board': b.slug})}" for b in boards},
        # One url_for per page instead of several per row: str.format patterns ("{0}": id).
        idea_url=per_id_url("ideas.show"),
        vote_urls={False: per_id_url("ideas.vote"), True: per_id_url("ideas.unvote")},
        login_url=url_for("accounts.login"),
        statuses=list(IdeaStatus),
        filters=filters,
        row_tags=tag_ops.tags_of_ideas(current_person(), [i.id for i in page.items]),
        votes_left=support.votes_left(current_person(), board),
        budget_board=board,
    )
    if listing.search is not None and listing.search.mode == hybrid.KEYWORD:
        return html, 200  # not a str: the page cache keeps no keyword-only page
    return html


def _boards():
    """The boards the person may see (private boards: `board_access`)."""
    return boards_for(current_person())


def _board_choices(form: IdeaForm, include_id: int | None = None) -> None:
    choices = [SelectChoice(b.id, b.name) for b in _boards()]
    if include_id is not None and include_id not in {c.value for c in choices}:
        board = db.session.get(ops.Board, include_id)
        choices.append(SelectChoice(board.id, board.name))
    form.board.choices = choices


@bp.route("/ideas/new", methods=["GET", "POST"])
@verified_required
@post_limit("LIMIT_POST")
def new_idea():
    # Every open board's questions the person is asked; only the chosen board's are checked.
    questions = tag_fields.board_fields([b.id for b in _boards()], viewer=current_person())
    form = with_answers(IdeaForm, questions)()
    _board_choices(form)
    if request.method == "GET" and request.args.get("title"):
        form.title.data = request.args["title"][:160]  # "post this as a new idea" from a search
    if request.method == "GET" and request.args.get("board"):
        board = board_for(current_person(), request.args["board"])
        if board:
            form.board.data = board.id
    if form.validate_on_submit():
        board = db.session.get(ops.Board, form.board.data)
        text = f"{form.title.data}\n{form.body.data or ''}"
        ok, idea = commit_or_show(
            form,
            lambda: ops.create_idea(
                current_person(),
                board,
                form.title.data,
                form.body.data or "",
                form.spam_signals(text),
                answers(form, [q for q in questions if q.board_id == board.id]),
            ),
        )
        if ok:
            posted = "Your idea is posted. You are following it."
            flash_at("idea", HELD if idea.moderation else posted)
            return redirect(url_for("ideas.show", idea_id=idea.id))
    status = 400 if form.errors else 200
    return render_template(
        "ideas/form.html", form=form, idea=None, questions=questions, boards=_boards()
    ), status


@bp.get("/roadmap")
@cache_for_anonymous
def roadmap():
    board = None
    if request.args.get("board"):
        board = board_for(current_person(), request.args["board"]) or abort(404)
    return render_template(
        "ideas/roadmap.html",
        columns=ops.roadmap(board, viewer=current_person()),
        board=board,
        boards=_boards(),
    )


@bp.get("/ideas/<int:idea_id>")
def show(idea_id: int):
    idea = _idea_or_404(idea_id)
    if current_person() is None:
        # No forms for anonymous readers: no CSRF token, so no session cookie either.
        return _render_idea(idea, None, None)
    status_form = StatusForm(formdata=None, status=statuses.choice_of(idea))
    return _render_idea(idea, CommentForm(formdata=None), status_form)


def _render_idea(idea, comment_form, status_form, code: int = 200, target_form=None):
    from vocportal.ideas.merge import duplicates_of

    user = current_person()
    return render_template(
        "ideas/show.html",
        merged_here=duplicates_of(user, idea),
        merged_into=ops.merged_into(user, idea),
        idea=idea,
        comments=ops.visible_comments(user, idea),
        history=ops.status_history(idea),
        voted=idea.id in support.voted_idea_ids(user, [idea.id]),
        following=support.is_following(user, idea),
        comment_form=comment_form,
        status_form=status_form,
        target_form=target_form,
        # Internal tags and staff-only fields for staff only.
        tags=tag_ops.tags_of_ideas(user, [idea.id]).get(idea.id, []),
        answers=tag_fields.answers_of_ideas(user, [idea.id]).get(idea.id, []),
        tag_choices=tag_ops.all_tags(user) if user is not None and user.is_staff else [],
        votes_left=support.votes_left(user, idea.board),
        budget_board=idea.board,
        # Similar ideas (embeddings) and, for staff, the triage panel: ideas.page.
        **page.extras(idea, user),
    ), code


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id: int):
    idea = _idea_or_404(idea_id)
    user = author_or_staff(idea.author_id)
    form = IdeaForm(obj=idea, board=idea.board_id)
    _board_choices(form, include_id=idea.board_id)
    if form.validate_on_submit():
        board = db.session.get(ops.Board, form.board.data)
        ok, _ = commit_or_show(
            form, lambda: ops.edit_idea(user, idea, form.title.data, form.body.data or "", board)
        )
        if ok:
            flash_at("idea", "Idea updated.")
            return back_to(idea.id, "idea")
    return render_template("ideas/form.html", form=form, idea=idea), 400 if form.errors else 200


@bp.post("/ideas/<int:idea_id>/withdraw")
@login_required
def withdraw(idea_id: int):
    idea = _idea_or_404(idea_id)
    if ButtonForm().validate_on_submit():
        ops.withdraw_idea(current_person(), idea)
        db.session.commit()
        flash("Your idea is withdrawn from the board.", "info")
    return redirect(url_for("ideas.index"))


def _vote_response(idea, voted: bool, error: str | None = None):
    if _is_htmx():
        return render_template(
            "ideas/_vote_partial.html",
            idea=idea,
            voted=voted,
            vote_error=error,
            votes_left=support.votes_left(current_person(), idea.board),
            budget_board=idea.board,
        )
    # Without JavaScript: back to the page the vote was on; on the idea page, to its vote button.
    if error:
        flash_at("vote", error, "error")
    elif voted:
        flash_at("vote", "Your vote is counted. You will hear when its status changes.")
    else:
        flash_at("vote", "Your vote is taken back.", "info")
    here = url_for("ideas.show", idea_id=idea.id)
    if _same_site_referrer() and urlsplit(request.referrer).path != here:
        return redirect(request.referrer)
    return back_to(idea.id, "vote")


def _same_site_referrer() -> bool:
    ref = request.referrer or ""
    return ref.startswith(request.host_url)


@bp.post("/ideas/<int:idea_id>/vote")
@verified_required
@_vote_limit
def vote(idea_id: int):
    return _set_vote(idea_id, True)


@bp.post("/ideas/<int:idea_id>/unvote")
@login_required
@_vote_limit
def unvote(idea_id: int):
    return _set_vote(idea_id, False)


def _set_vote(idea_id: int, voted: bool):
    """Vote (or take the vote back) from a button; a refusal (a closed idea) is shown."""
    idea = _idea_or_404(idea_id)
    valid_or_400()
    try:
        (support.vote if voted else support.unvote)(current_person(), idea)
    except OperationError as error:
        db.session.rollback()
        return _vote_response(idea, False, error.message)
    db.session.commit()
    return _vote_response(idea, voted)


@bp.post("/ideas/<int:idea_id>/follow")
@login_required
def follow(idea_id: int):
    idea = _idea_or_404(idea_id)
    if ButtonForm().validate_on_submit():
        if request.form.get("follow") == "0":
            support.unfollow(current_person(), idea)
            flash_at("actions", "You will no longer hear about this idea.", "info")
        else:
            support.follow_again(current_person(), idea)
            flash_at("actions", "You are following this idea.")
        db.session.commit()
    return back_to(idea.id, "actions")


@bp.post("/ideas/<int:idea_id>/comments")
@verified_required
@post_limit("LIMIT_COMMENT")
def comment(idea_id: int):
    idea = _idea_or_404(idea_id)
    form = CommentForm()
    if form.validate_on_submit():
        posted = commenting.add_comment(
            current_person(),
            idea,
            form.body.data,
            official=bool(form.official.data),
            signals=form.spam_signals(form.body.data),
        )
        db.session.commit()
        flash_at(f"c{posted.id}", HELD if posted.moderation else "Comment posted.")
        return back_to(idea.id, f"c{posted.id}")
    return _render_idea(idea, form, StatusForm(formdata=None, status=statuses.choice_of(idea)), 400)


@bp.post("/ideas/<int:idea_id>/status")
@login_required
def change_status(idea_id: int):
    idea = _idea_or_404(idea_id)
    form = StatusForm()
    if form.validate_on_submit():
        ok, _ = commit_or_show(
            form,
            lambda: ops.change_status(
                current_person(),
                idea,
                form.chosen()[0],
                form.message.data or "",
                status_id=form.chosen()[1],
            ),
        )
        if ok:
            shown = statuses.shown(idea.status, idea.status_id, staff=True)
            flash_at("status-panel", f"Status set to {shown.name}.")
            return back_to(idea.id, "status-panel")
    return _render_idea(idea, CommentForm(formdata=None), form, 400)


@bp.post("/ideas/<int:idea_id>/hide")
@login_required
def hide(idea_id: int):
    idea = _idea_or_404(idea_id)
    if ButtonForm().validate_on_submit():
        hidden = request.form.get("hidden") != "0"
        ops.set_idea_hidden(current_person(), idea, hidden)
        db.session.commit()
        message = "Idea hidden from the public board." if hidden else "Idea visible again."
        flash_at("actions", message, "info")
    return back_to(idea.id, "actions")
