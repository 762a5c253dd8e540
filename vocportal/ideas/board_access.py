"""Who may see a board, and so its ideas: the board half of the one visibility rule.

A board is seen by everyone, by signed-in customers, by customers of chosen segments or
companies, by customers whose verified email address is at a listed domain, or by staff
only (`BoardAudience`). Staff see every board. Contacts (people known from feedback only,
who cannot sign in) see only boards open to everyone.

`operations.can_see` / `visible_to` / `public_ideas` apply this to ideas, so every surface
that lists, names or announces an idea through them leaves out ideas on boards the person
may not see; `people_who_see` is the same rule over many people at once, for the one
audience query (`vocportal.audience.hearing`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, or_, select, true

from vocportal.accounts.models import Role, User
from vocportal.companies import operations as companies
from vocportal.companies.models import Company, Segment
from vocportal.errors import OperationError, PermissionDenied
from vocportal.extensions import db
from vocportal.ideas.models import Board, BoardAudience, Idea

#: A domain as people type it after the "@": labels of letters, digits and hyphens.
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _signed_in(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_authenticated


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def _segment_id(viewer: User) -> int | None:
    if viewer.company_id is None:
        return None
    company = db.session.get(Company, viewer.company_id)
    segment = companies.segment_of(company, companies.ordered_segments()) if company else None
    return segment.id if segment is not None else None


def may_see_board(viewer: User | None, board: Board) -> bool:
    """Whether `viewer` (None: anonymous) may see `board` and the ideas on it."""
    if board.audience is BoardAudience.everyone:
        return True
    if not _signed_in(viewer):
        return False
    if viewer.is_staff:
        return True
    if viewer.is_contact:
        return False
    if board.audience is BoardAudience.signed_in:
        return True
    if board.audience is BoardAudience.members:
        if viewer.company_id is not None and viewer.company_id in board.audience_company_ids:
            return True
        return bool(board.audience_segment_ids) and _segment_id(viewer) in set(
            board.audience_segment_ids
        )
    if board.audience is BoardAudience.domains:
        return viewer.is_verified and email_domain(viewer.email) in board.audience_domains
    return False  # staff only


def _private_boards() -> list[Board]:
    return list(db.session.scalars(select(Board).where(Board.audience != BoardAudience.everyone)))


def hidden_board_ids(viewer: User | None) -> list[int]:
    """The ids of the boards `viewer` may not see (none for staff)."""
    if _signed_in(viewer) and viewer.is_staff:
        return []
    return [b.id for b in _private_boards() if not may_see_board(viewer, b)]


def on_visible_boards(viewer: User | None, board_id=None) -> ColumnElement[bool]:
    """A WHERE clause: the idea (or the row whose board is `board_id`, by default
    `Idea.board_id`) is on a board `viewer` may see."""
    hidden = hidden_board_ids(viewer)
    column = Idea.board_id if board_id is None else board_id
    return column.not_in(hidden) if hidden else true()


def boards_for(viewer: User | None, include_archived: bool = False) -> list[Board]:
    """The boards `viewer` may see, in board-list order."""
    stmt = select(Board).order_by(Board.position, Board.name)
    if not include_archived:
        stmt = stmt.where(Board.archived.is_(False))
    return [b for b in db.session.scalars(stmt) if may_see_board(viewer, b)]


def board_for(viewer: User | None, slug: str) -> Board | None:
    """The board with this slug if `viewer` may see it (else None, as if it did not exist)."""
    board = db.session.scalar(select(Board).where(Board.slug == slug))
    return board if board is not None and may_see_board(viewer, board) else None


# --- many people at once (the audience query) ----------------------------------------------


def _allows(board: Board) -> ColumnElement[bool]:
    """`may_see_board` for the person in the `users` row, as SQL, for one private board."""
    staff = User.role.in_([Role.staff, Role.admin])
    account = User.password_hash != ""
    if board.audience is BoardAudience.signed_in:
        return or_(staff, account)
    if board.audience is BoardAudience.members:
        ids = set(board.audience_company_ids)
        ids |= companies.companies_in_segments(board.audience_segment_ids)
        return or_(staff, and_(account, User.company_id.in_(sorted(ids)))) if ids else staff
    if board.audience is BoardAudience.domains and board.audience_domains:
        at_domain = or_(
            *(User.email.endswith("@" + d, autoescape=True) for d in board.audience_domains)
        )
        return or_(staff, and_(account, User.email_verified_at.is_not(None), at_domain))
    return staff


def people_who_see(board_id, board_ids: Iterable[int]) -> ColumnElement[bool] | None:
    """A WHERE clause over `users` joined to rows whose board is `board_id` (a column): the
    person may see that board. `board_ids`: the boards those rows can be on; None when all
    of them are open to everyone (nothing to filter)."""
    wanted = set(board_ids)
    private = [b for b in _private_boards() if b.id in wanted]
    if not private:
        return None
    return or_(
        board_id.not_in([b.id for b in private]),
        *(and_(board_id == b.id, _allows(b)) for b in private),
    )


# --- settings ------------------------------------------------------------------------------


def parse_domains(text: str) -> list[str]:
    """Domains typed one per line or separated by commas or spaces, lower-cased, "@" and
    duplicates dropped; an invalid one raises OperationError naming it."""
    found = []
    for raw in re.split(r"[\s,;]+", text or ""):
        domain = raw.strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise OperationError(f"“{raw[:80]}” is not a domain (e.g. example.com).", "domains")
        if domain not in found:
            found.append(domain)
    return found


def set_audience(
    actor: User,
    board: Board,
    audience: BoardAudience,
    *,
    segment_ids: Iterable[int] = (),
    company_ids: Iterable[int] = (),
    domains: Iterable[str] = (),
) -> None:
    """Say who may see `board`: admins only. `members` needs at least one segment or
    company, `domains` at least one domain; the lists of other kinds are cleared."""
    if not actor.is_admin:
        raise PermissionDenied()
    segment_ids, company_ids, domains = (
        sorted(set(segment_ids)),
        sorted(set(company_ids)),
        list(domains),
    )
    if audience is not BoardAudience.members:
        segment_ids, company_ids = [], []
    if audience is not BoardAudience.domains:
        domains = []
    known = set(db.session.scalars(select(Segment.id).where(Segment.id.in_(segment_ids))))
    if len(known) != len(segment_ids):
        raise OperationError("Some of those segments do not exist.", "segments")
    known = set(db.session.scalars(select(Company.id).where(Company.id.in_(company_ids))))
    if len(known) != len(company_ids):
        raise OperationError("Some of those companies do not exist.", "companies")
    if audience is BoardAudience.members and not (segment_ids or company_ids):
        raise OperationError("Choose at least one segment or company.", "segments")
    if audience is BoardAudience.domains and not domains:
        raise OperationError("List at least one email domain.", "domains")
    board.audience = audience
    board.audience_segment_ids = segment_ids
    board.audience_company_ids = company_ids
    board.audience_domains = domains
    db.session.flush()


def describe(board: Board) -> str:
    """Who sees the board, in words for staff pages."""
    if board.audience is BoardAudience.members:
        names = list(
            db.session.scalars(
                select(Segment.name).where(Segment.id.in_(board.audience_segment_ids))
            )
        ) + list(
            db.session.scalars(
                select(Company.name).where(Company.id.in_(board.audience_company_ids))
            )
        )
        return "Customers of " + ", ".join(sorted(names)) if names else "Nobody but staff"
    if board.audience is BoardAudience.domains:
        return "Verified emails at " + ", ".join(board.audience_domains)
    return board.audience.label
