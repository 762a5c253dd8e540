"""The JSON API's ideas, votes, comments and status updates."""

from __future__ import annotations

from flask import url_for

from vocportal.api import schemas as s
from vocportal.api.auth import api_user
from vocportal.api.blueprint import (
    access,
    action_limit,
    bp,
    error_response,
    idea_or_404,
    next_link,
    note_votes,
    vote_limit,
)
from vocportal.api.tag_schemas import note_tags
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.ideas import commenting, support
from vocportal.ideas import operations as ideas
from vocportal.ideas.board_access import board_for
from vocportal.ideas.models import Idea
from vocportal.pagination import page_of
from vocportal.tags.filters import from_args as list_filters

# --- ideas ---------------------------------------------------------------------------------


@bp.route("/ideas", methods=["GET"], tags=["Ideas"])
@access(anonymous=True)
@bp.arguments(s.IdeaListArgs, location="query")
@bp.response(200, s.IdeaPageSchema)
def list_ideas(args):
    """List ideas on the public board

    The board's filters and sorts: `board` (slug), `status`, `sort` (trending, top, new;
    relevance with `q`, its default) and `q` (the board's search box: keywords and meaning).
    Hidden and withdrawn ideas, and ideas on boards the caller may not see (private
    boards), are never listed.
    """
    board = None
    if args.get("board"):
        board = board_for(api_user(), args["board"])
        if board is None:
            raise OperationError("No board with this slug.", field="board")
    status = args.get("status")
    filters = tag_filters(args, board)
    query = ideas.IdeaQuery(
        sort=args["sort"], status=status, board=board, q=args["q"], filters=filters
    )
    listing = ideas.board_listing(query, api_user())
    page = page_of(listing.stmt, args["page"], args["per_page"])
    note_votes(page.items)
    note_tags(i.id for i in page.items)
    return {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "search": listing.search.mode if listing.search else None,
        "next": next_link(
            page,
            board=args.get("board"),
            status=status.value if status else None,
            sort=args["sort"],
            q=args["q"],
            tag=args.get("tag"),
            field=args["field"] or None,
        ),
    }


def tag_filters(args, board) -> tuple:
    """The `tag` and `field` arguments as WHERE clauses (`vocportal.tags.filters`); an
    unknown tag, or a field the caller may not filter by, is a 422."""
    wanted = {}
    for one in args["field"]:
        field_id, sep, value = one.partition(":")
        if not sep or not field_id.isdigit():
            raise OperationError("Write a field filter as <field id>:<value>.", field="field")
        wanted[f"field_{int(field_id)}"] = value
    found = list_filters(api_user(), {"tag": args.get("tag") or "", **wanted}, None)
    if found is None:
        raise OperationError("No tag with this slug.", field="tag")
    if len(found.values) != len([v for v in wanted.values() if v.strip()]):
        raise OperationError("No custom field with this id.", field="field")
    return found.clauses(Idea.id)


@bp.route("/ideas", methods=["POST"], tags=["Ideas"])
@action_limit("LIMIT_POST")
@access(write=True)
@bp.arguments(s.IdeaInSchema)
@bp.response(201, s.IdeaSchema)
@error_response(422, "Invalid input, an unknown or archived board.")
def create_idea(data):
    """Post an idea

    The token's owner is its author, votes for it and follows it.
    """
    board = board_for(api_user(), data["board"])
    if board is None:
        raise OperationError("No board with this slug.", field="board")
    answers = {int(k): v for k, v in data["custom_fields"].items()}
    idea = ideas.create_idea(api_user(), board, data["title"], data["body"], answers=answers)
    db.session.commit()
    note_votes([idea])
    return idea, 201, {"Location": url_for("api.get_idea", idea_id=idea.id)}


@bp.route("/ideas/<int:idea_id>", methods=["GET"], tags=["Ideas"])
@access(anonymous=True)
@bp.response(200, s.IdeaSchema)
@error_response(404, "No such idea, or one the caller may not see.")
def get_idea(idea_id: int):
    """Get an idea"""
    idea = idea_or_404(idea_id)
    note_votes([idea])
    return idea


# --- votes ---------------------------------------------------------------------------------


@bp.route("/ideas/<int:idea_id>/vote", methods=["POST"], tags=["Votes"])
@vote_limit
@access(write=True)
@bp.response(200, s.VoteSchema)
@error_response(404, "No such idea.")
@error_response(
    409,
    "The idea is closed (shipped, declined or merged): it takes no votes; or the caller "
    "has used every vote the board's budget gives.",
)
def vote(idea_id: int):
    """Vote for an idea (and follow it)"""
    return _set_vote(idea_id, True)


@bp.route("/ideas/<int:idea_id>/vote", methods=["DELETE"], tags=["Votes"])
@vote_limit
@access(write=True)
@bp.response(200, s.VoteSchema)
@error_response(404, "No such idea.")
def unvote(idea_id: int):
    """Take back a vote"""
    return _set_vote(idea_id, False)


def _set_vote(idea_id: int, voted: bool) -> dict:
    """Vote (or take the vote back); the answer says whether that changed anything."""
    idea = idea_or_404(idea_id)
    changed = (support.vote if voted else support.unvote)(api_user(), idea)
    db.session.commit()
    return {
        "idea_id": idea.id,
        "voted": voted,
        "changed": changed,
        "vote_count": idea.vote_count,
        "votes_left": support.votes_left(api_user(), idea.board),
    }


# --- comments ------------------------------------------------------------------------------


@bp.route("/ideas/<int:idea_id>/comments", methods=["GET"], tags=["Comments"])
@access(anonymous=True)
@bp.response(200, s.CommentListSchema)
@error_response(404, "No such idea.")
def list_comments(idea_id: int):
    """List an idea's comments, oldest first"""
    idea = idea_or_404(idea_id)
    return {"items": ideas.visible_comments(api_user(), idea)}


@bp.route("/ideas/<int:idea_id>/comments", methods=["POST"], tags=["Comments"])
@action_limit("LIMIT_COMMENT")
@access(write=True)
@bp.arguments(s.CommentInSchema)
@bp.response(201, s.CommentSchema)
@error_response(404, "No such idea.")
def add_comment(data, idea_id: int):
    """Comment on an idea

    Staff may mark the comment as the official response (`official`); a customer's token
    that asks for it gets 403.
    """
    idea = idea_or_404(idea_id)
    comment = commenting.add_comment(api_user(), idea, data["body"], official=data["official"])
    db.session.commit()
    return comment


# --- status updates (staff) ----------------------------------------------------------------


@bp.route("/ideas/<int:idea_id>/status", methods=["POST"], tags=["Status updates"])
@access(write=True, staff=True)
@bp.arguments(s.StatusInSchema)
@bp.response(201, s.StatusChangeSchema)
@error_response(404, "No such idea.")
@error_response(422, "Invalid input, or a status the idea cannot take this way.")
def change_status(data, idea_id: int):
    """Publish a status update (staff)

    Sets the status and posts the message on the idea's timeline; supporters are notified.
    """
    idea = idea_or_404(idea_id)
    change = ideas.change_status(
        api_user(), idea, data["status"], data["message"], status_id=data["status_id"]
    )
    db.session.commit()
    return change
