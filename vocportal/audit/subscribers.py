"""Staff actions on ideas and admin actions on accounts, written to the audit log from
the ideas' and the accounts' domain events."""

from __future__ import annotations

from vocportal.accounts import events as account_events
from vocportal.accounts.models import Role, User
from vocportal.audit import operations as audit_ops
from vocportal.ideas import events
from vocportal.ideas.models import Comment, Idea, MergeRecord, StatusChange


def on_status_changed(idea: Idea, *, actor: User, change: StatusChange, **_: object) -> None:
    old, new = change.old_status, change.new_status
    audit_ops.record(
        actor,
        "idea.status_changed",
        target_type="idea",
        target_id=idea.id,
        summary=f"Status of idea #{idea.id} from {old.label} to {new.label}",
        details={"from": old.value, "to": new.value, "status_change_id": change.id},
    )


def on_idea_merged(idea: Idea, *, actor: User, target: Idea, record: MergeRecord, **_) -> None:
    _merge(idea, actor, target, record, "idea.merged", "merged into")


def on_idea_unmerged(idea: Idea, *, actor: User, target: Idea, record: MergeRecord, **_) -> None:
    _merge(idea, actor, target, record, "idea.unmerged", "no longer merged into")


def _merge(idea: Idea, actor: User, target: Idea, merge: MergeRecord, action: str, verb: str):
    audit_ops.record(
        actor,
        action,
        target_type="idea",
        target_id=idea.id,
        summary=f"Idea #{idea.id} {verb} #{target.id}",
        details={"into": target.id, "merge_record_id": merge.id},
    )


def on_idea_hidden(idea: Idea, *, actor: User, hidden: bool, **_: object) -> None:
    _hidden(actor, "idea", idea.id, f"Idea #{idea.id}", hidden)


def on_comment_hidden(
    idea: Idea, *, actor: User, comment: Comment, hidden: bool, **_: object
) -> None:
    name = f"Comment #{comment.id} on idea #{idea.id}"
    _hidden(actor, "comment", comment.id, name, hidden, {"idea_id": idea.id})


def _hidden(actor: User, kind: str, target_id: int, name: str, hidden: bool, details=None):
    audit_ops.record(
        actor,
        f"{kind}.hidden" if hidden else f"{kind}.shown",
        target_type=kind,
        target_id=target_id,
        summary=f"{name} {'hidden' if hidden else 'shown again'}",
        details=details,
    )


def on_role_changed(user: User, *, actor: User, old: Role, new: Role, **_: object) -> None:
    summary = f"Role of {user.email} from {old.value} to {new.value}"
    _about(user, actor, "user.role_changed", summary, {"from": old.value, "to": new.value})


def on_block_changed(user: User, *, actor: User, blocked: bool, **_: object) -> None:
    verb = "blocked" if blocked else "unblocked"
    _about(user, actor, f"user.{verb}", f"{user.email} {verb}")


def on_mfa_reset(user: User, *, actor: User, **_: object) -> None:
    _about(user, actor, "user.mfa_reset", f"Two-factor authentication of {user.email} reset")


def _about(user: User, actor: User, action: str, summary: str, details=None) -> None:
    audit_ops.record(
        actor, action, target_type="user", target_id=user.id, summary=summary, details=details
    )


def connect() -> None:
    events.status_changed.connect(on_status_changed)
    events.idea_merged.connect(on_idea_merged)
    events.idea_unmerged.connect(on_idea_unmerged)
    events.idea_hidden.connect(on_idea_hidden)
    events.comment_hidden.connect(on_comment_hidden)
    account_events.role_changed.connect(on_role_changed)
    account_events.block_changed.connect(on_block_changed)
    account_events.mfa_reset.connect(on_mfa_reset)
