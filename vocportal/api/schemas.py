"""What the API takes and gives, as marshmallow schemas (the OpenAPI document is made from
them). Input schemas list their fields and refuse unknown ones: nothing else reaches an
operation."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import marshmallow as ma
from flask import g, url_for
from marshmallow import ValidationError, fields, post_dump, pre_dump, validate

from vocportal.api.tag_schemas import TaggedFeedbackMixin, TaggedIdeaMixin
from vocportal.feedback.models import FeedbackSource
from vocportal.ideas.models import IdeaStatus
from vocportal.ideas.operations import SORTS, merged_into
from vocportal.ideas.statuses import shown_to
from vocportal.text import single_line_error
from vocportal.themes import demand

#: Largest page of a list.
MAX_PER_PAGE = 100
#: Pages past this are refused (use filters instead).
MAX_PAGE = 10_000
#: received_at must fall in this range (anything else is a typo or a unit mix-up).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


# --- fields --------------------------------------------------------------------------------


class Text(fields.String):
    """A string that can be stored: no NUL characters, no lone surrogates; stripped of
    surrounding whitespace before its length is checked."""

    def __init__(self, *args, strip: bool = True, **kwargs):
        self.strip = strip
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in value:
            raise ValidationError("Must not contain NUL characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Must be valid Unicode text.") from None
        return value.strip() if self.strip else value


class OneLineText(Text):
    """A title or name: `Text` on one line, without control characters (it ends up in email
    subjects and headers)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        error = single_line_error(value)
        if error:
            raise ValidationError(error)
        return value


class UTCDateTime(fields.DateTime):
    """Stored timestamps are naive UTC: give them out as RFC 3339 with the offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()


class Timestamp(fields.AwareDateTime):
    """An RFC 3339 time from 1970 to 2100 (no offset: UTC), loaded as naive UTC."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", default_timezone=UTC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            in_utc = value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValidationError("Use a time between 1970 and 2100.") from None
        if not EARLIEST <= in_utc < LATEST:
            raise ValidationError("Use a time between 1970 and 2100.")
        return in_utc.replace(tzinfo=None)


class JsonObject(fields.Dict):
    """A JSON object kept as sent: every database can store it (no NUL characters, lone
    surrogates or non-finite numbers, which JSON parsers let through), and it is small."""

    MAX_BYTES = 64 * 1024

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        self._check(value)
        try:
            size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
        except (UnicodeEncodeError, ValueError, RecursionError):
            raise ValidationError("Must be valid JSON text.") from None
        if size > self.MAX_BYTES:
            raise ValidationError(f"Keep it under {self.MAX_BYTES // 1024} KiB.")
        return value

    def _check(self, value, depth: int = 0) -> None:
        if depth > 20:
            raise ValidationError("Nested too deeply.")
        if isinstance(value, dict):
            for key, item in value.items():
                self._check(key, depth + 1)
                self._check(item, depth + 1)
        elif isinstance(value, list):
            for item in value:
                self._check(item, depth + 1)
        elif isinstance(value, str) and "\x00" in value:
            raise ValidationError("Must not contain NUL characters.")
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValidationError("Numbers must be finite.")


def _status_field(**kwargs):
    return fields.Enum(IdeaStatus, by_value=True, **kwargs)


# --- shared pieces -------------------------------------------------------------------------


class PageArgs(ma.Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(1, MAX_PAGE),
        metadata={"description": "1-based page number."},
    )
    per_page = fields.Integer(
        load_default=20,
        validate=validate.Range(1, MAX_PER_PAGE),
        metadata={"description": f"Items per page (at most {MAX_PER_PAGE})."},
    )


class PageSchema(ma.Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    next = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Address of the next page, or null on the last one."},
    )


class UserRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    staff = fields.Boolean(
        required=True,
        attribute="is_staff",
        metadata={"description": "Answers from the portal team are marked."},
    )


class BoardRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)


def _is_staff_viewer() -> bool:
    user = g.get("api_caller") and g.api_caller.user
    return bool(user and user.is_staff)


class StaffFieldsMixin:
    """Fields only staff see: removed from the output for everyone else."""

    STAFF_ONLY: tuple[str, ...] = ()

    @post_dump
    def _drop_staff_fields(self, data, **kwargs):
        if not _is_staff_viewer():
            for name in self.STAFF_ONLY:
                data.pop(name, None)
        return data


def _moderation(post) -> str | None:
    return post.moderation.value if post.moderation is not None else None


#: Only its author and staff ever see a post moderation keeps (see vocportal.moderation).
_MODERATION_DOC = {
    "type": "string",
    "enum": ["held", "rejected", None],
    "description": "null when published; `held` while it awaits staff review, `rejected` "
    "once staff turned it down (only its author and staff see either).",
}


# --- ideas ---------------------------------------------------------------------------------


class IdeaSchema(StaffFieldsMixin, TaggedIdeaMixin, ma.Schema):
    STAFF_ONLY = ("owner", "triaged_at", "hidden_at")

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": "Markdown, as written."})
    body_html = fields.String(
        required=True, metadata={"description": "`body` rendered and sanitised."}
    )
    status = _status_field(required=True)
    status_id = fields.Method(
        "_status_id",
        required=True,
        allow_none=True,
        metadata={
            "type": "integer",
            "description": "The custom status shown (`status` is its stable built-in kind); "
            "null when the kind has none. Customers get a staff-only status's public default.",
        },
    )
    status_name = fields.Method(
        "_status_name",
        required=True,
        metadata={"type": "string", "description": "The status's name, as the caller sees it."},
    )
    board = fields.Nested(BoardRefSchema, required=True)
    author = fields.Nested(UserRefSchema, required=True)
    vote_count = fields.Integer(required=True)
    comment_count = fields.Integer(required=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)
    duplicate_of = fields.Method(
        "_duplicate_of",
        required=True,
        allow_none=True,
        metadata={
            "type": "integer",
            "description": "The idea this one was merged into, if any (null too when that "
            "idea is one the caller may not see).",
        },
    )
    voted = fields.Method(
        "_voted",
        required=True,
        metadata={"type": "boolean", "description": "Whether the token's owner voted for it."},
    )
    url = fields.Method(
        "_url", required=True, metadata={"type": "string", "description": "Its page."}
    )
    owner = fields.Nested(UserRefSchema, allow_none=True, metadata={"description": "Staff only."})
    triaged_at = UTCDateTime(allow_none=True, metadata={"description": "Staff only."})
    hidden_at = UTCDateTime(allow_none=True, metadata={"description": "Staff only."})
    moderation = fields.Function(
        _moderation, required=True, allow_none=True, metadata=_MODERATION_DOC
    )

    def _voted(self, idea) -> bool:
        return idea.id in g.get("api_voted", ())

    def _shown_status(self, idea):
        caller = g.get("api_caller")
        return shown_to(caller.user if caller else None, idea)

    def _status_id(self, idea) -> int | None:
        return self._shown_status(idea).id

    def _status_name(self, idea) -> str:
        return self._shown_status(idea).name

    def _duplicate_of(self, idea) -> int | None:
        caller = g.get("api_caller")
        target = merged_into(caller.user if caller else None, idea)
        return target.id if target is not None else None

    def _url(self, idea) -> str:
        return url_for("ideas.show", idea_id=idea.id, _external=True)


class IdeaPageSchema(PageSchema):
    items = fields.List(fields.Nested(IdeaSchema), required=True)
    search = fields.String(
        allow_none=True,
        metadata={
            "description": "With `q`: `hybrid` (keywords and meaning) or `keyword` (the "
            "search model is still loading in this process); null without `q`."
        },
    )


class IdeaListArgs(PageArgs):
    board = Text(validate=validate.Length(max=60), metadata={"description": "A board's slug."})
    status = _status_field()
    sort = fields.String(
        load_default="",
        validate=validate.OneOf(SORTS),
        metadata={"description": "Default: `relevance` with `q`, else `trending`."},
    )
    q = Text(
        load_default="",
        validate=validate.Length(max=200),
        metadata={
            "description": "Words to search for: ideas with all of them first, then ideas "
            "with some of them or the same meaning (as the board's search box)."
        },
    )
    tag = Text(
        validate=validate.Length(max=40),
        metadata={"description": "A tag's slug: only ideas with it (internal tags: staff)."},
    )
    field = fields.List(
        Text(validate=validate.Length(max=220)),
        load_default=list,
        metadata={
            "description": "`<field id>:<value>`, repeatable: only ideas that answered the "
            "custom field so (text: contains it; other types: equals it). Staff-only fields: "
            "staff tokens only."
        },
    )


class IdeaInSchema(ma.Schema):
    board = Text(
        required=True,
        validate=validate.Length(1, 60),
        metadata={"description": "The board's slug."},
    )
    title = OneLineText(required=True, validate=validate.Length(4, 160))
    body = Text(load_default="", validate=validate.Length(max=10_000))
    custom_fields = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[0-9]{1,9}$")),
        values=fields.Raw(allow_none=True),
        load_default=dict,
        metadata={
            "description": "Answers to the board's custom fields by field id: a string, "
            "number, list of strings (multiple choice) or YYYY-MM-DD date. A bad or missing "
            "required answer is a 422 naming `field_<id>`."
        },
    )


class VoteSchema(ma.Schema):
    idea_id = fields.Integer(required=True)
    voted = fields.Boolean(required=True)
    changed = fields.Boolean(
        required=True, metadata={"description": "False when it already was so."}
    )
    vote_count = fields.Integer(required=True)
    votes_left = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Votes the caller has left on the idea's board; null when the "
            "board has no vote budget (or the caller is staff)."
        },
    )


# --- comments and status updates -----------------------------------------------------------


class CommentSchema(StaffFieldsMixin, ma.Schema):
    STAFF_ONLY = ("hidden_at",)

    id = fields.Integer(required=True)
    idea_id = fields.Integer(required=True)
    author = fields.Nested(UserRefSchema, required=True)
    body = fields.String(required=True)
    body_html = fields.String(required=True)
    official = fields.Boolean(required=True, attribute="is_official")
    created_at = UTCDateTime(required=True)
    edited_at = UTCDateTime(required=True, allow_none=True)
    hidden_at = UTCDateTime(allow_none=True, metadata={"description": "Staff only."})
    moderation = fields.Function(
        _moderation, required=True, allow_none=True, metadata=_MODERATION_DOC
    )


class CommentListSchema(ma.Schema):
    items = fields.List(fields.Nested(CommentSchema), required=True)


class CommentInSchema(ma.Schema):
    body = Text(required=True, validate=validate.Length(1, 5_000))
    official = fields.Boolean(
        load_default=False, metadata={"description": "Staff: mark it the official response."}
    )


class StatusInSchema(ma.Schema):
    status = _status_field(required=True)
    status_id = fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "A custom status of kind `status` (default: the kind's)."},
    )
    message = Text(
        load_default="",
        validate=validate.Length(max=10_000),
        metadata={"description": "Markdown note to the idea's supporters."},
    )


class StatusChangeSchema(ma.Schema):
    id = fields.Integer(required=True)
    idea_id = fields.Integer(required=True)
    old_status = _status_field(required=True)
    new_status = _status_field(required=True)
    new_status_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The custom status set."}
    )
    message = fields.String(required=True)
    message_html = fields.String(required=True)
    actor = fields.Nested(UserRefSchema, required=True)
    created_at = UTCDateTime(required=True)


# --- themes --------------------------------------------------------------------------------


class GrowthSchema(ma.Schema):
    current = fields.Integer(required=True, metadata={"description": "New supporters."})
    previous = fields.Integer(required=True, metadata={"description": "In the window before."})


class ThemeSchema(ma.Schema):
    """A theme and its demand figures (from vocportal.themes.demand)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "Staff name, or the label."})
    label = fields.String(required=True, metadata={"description": "The automatic label."})
    top_words = fields.List(fields.String(), required=True)
    status = fields.String(required=True)
    size = fields.Integer(required=True)
    items = fields.Integer(required=True)
    supporters = fields.Integer(
        required=True, metadata={"description": "Distinct people who posted or voted."}
    )
    votes = fields.Integer(required=True)
    untriaged = fields.Integer(required=True)
    growth_7d = fields.Nested(GrowthSchema, required=True)
    growth_30d = fields.Nested(GrowthSchema, required=True)
    updated_at = UTCDateTime(required=True)

    @staticmethod
    def flatten(row) -> dict:
        theme = row.theme
        return {
            "id": theme.id,
            "name": theme.display_name,
            "label": theme.label,
            "top_words": list(theme.top_words or []),
            "status": theme.status.value,
            "size": theme.size,
            "items": row.items,
            "supporters": row.supporters,
            "votes": row.votes,
            "untriaged": row.untriaged,
            "growth_7d": row.growth[7],
            "growth_30d": row.growth[30],
            "updated_at": theme.updated_at,
        }

    @pre_dump
    def _flatten(self, row, **kwargs):
        return self.flatten(row)


class ThemeListArgs(ma.Schema):
    sort = fields.String(load_default=demand.DEFAULT_SORT, validate=validate.OneOf(demand.SORTS))


class ThemeListSchema(ma.Schema):
    items = fields.List(fields.Nested(ThemeSchema), required=True)


class ThemeIdeaSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = _status_field(required=True)
    vote_count = fields.Integer(required=True)


class ThemeDetailSchema(ThemeSchema):
    """Dumps {"demand": row, "ideas": [...]}: the theme's figures and its most voted ideas."""

    ideas = fields.List(fields.Nested(ThemeIdeaSchema), required=True)

    @pre_dump
    def _flatten(self, detail, **kwargs):
        return {**self.flatten(detail["demand"]), "ideas": detail["ideas"]}


# --- companies -----------------------------------------------------------------------------


class CompanySchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    external_id = fields.String(required=True, allow_none=True)
    plan = fields.String(required=True, allow_none=True)
    tier = fields.String(required=True, allow_none=True)
    monthly_revenue = fields.Float(required=True, allow_none=True)
    attributes = fields.Dict(required=True)
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)


class CompanyPageSchema(PageSchema):
    items = fields.List(fields.Nested(CompanySchema), required=True)


class CompanyListArgs(PageArgs):
    q = Text(
        load_default="",
        validate=validate.Length(max=160),
        metadata={"description": "Part of the company's name."},
    )


# --- feedback ------------------------------------------------------------------------------


class FeedbackInSchema(ma.Schema):
    text = Text(required=True, validate=validate.Length(1, 20_000))
    email = Text(
        required=True,
        validate=validate.Length(3, 254),
        metadata={"description": "Who said it: their account, or a contact made for them."},
    )
    name = OneLineText(load_default=None, allow_none=True, validate=validate.Length(max=80))
    company = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=160),
        metadata={"description": "Company name; created if new."},
    )
    source = fields.Enum(
        FeedbackSource,
        by_value=True,
        load_default=FeedbackSource.api,
        metadata={"description": "Where it came from (default: api)."},
    )
    external_id = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={
            "description": "Your id for it: the same source and id twice is stored once. "
            "Without one, its content is the id."
        },
    )
    received_at = Timestamp(
        load_default=None, allow_none=True, metadata={"description": "When it was said."}
    )
    payload = JsonObject(
        load_default=None,
        allow_none=True,
        metadata={"description": "Anything else, kept as sent."},
    )


class FeedbackSchema(TaggedFeedbackMixin, ma.Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    source = fields.Enum(FeedbackSource, by_value=True, required=True)
    external_id = fields.String(required=True)
    author = fields.Nested(UserRefSchema, required=True)
    email = fields.String(required=True, attribute="author.email")
    company_id = fields.Integer(required=True, allow_none=True)
    idea_id = fields.Integer(required=True, allow_none=True)
    received_at = UTCDateTime(required=True)
    created_at = UTCDateTime(required=True)
    payload = fields.Dict(required=True)


class LenientItem(fields.Nested):
    """A bulk item: one that does not validate becomes its ValidationError instead of
    failing the whole request, so the others are still imported."""

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        try:
            return super()._deserialize(value, attr, data, partial=partial, **kwargs)
        except ValidationError as error:
            return error


class FeedbackBulkInSchema(ma.Schema):
    items = fields.List(
        LenientItem(FeedbackInSchema),
        required=True,
        validate=validate.Length(1, 1000),
        metadata={"description": "Up to 1,000 items; each is stored or refused on its own."},
    )


class ItemErrorSchema(ma.Schema):
    message = fields.String(required=True)
    fields_ = fields.Dict(
        data_key="fields",
        attribute="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
    )


class ItemResultSchema(ma.Schema):
    index = fields.Integer(required=True, metadata={"description": "Position in `items`."})
    status = fields.String(required=True, validate=validate.OneOf(["created", "existing", "error"]))
    id = fields.Integer(required=True, allow_none=True)
    error = fields.Nested(ItemErrorSchema, required=True, allow_none=True)


class FeedbackBulkSchema(ma.Schema):
    created = fields.Integer(required=True)
    existing = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    results = fields.List(fields.Nested(ItemResultSchema), required=True)
