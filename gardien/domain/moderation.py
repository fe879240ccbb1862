"""What humans work on: moderation items, care cases, outbound actions and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


@dataclass(slots=True)
class ModerationItem:
    """A post held or flagged for a moderator, with its severity and status."""

    post_id: int
    community: str
    severity: float
    status: str = "open"
    claimed_by: str | None = None
    claim_expires_at: datetime | None = None


class CaseStatus(StrEnum):
    """A care case's life: new, assigned, waiting, resolved (reopened when the author returns)."""

    NEW = "new"
    ASSIGNED = "assigned"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_DEPARTMENT = "waiting_department"
    RESOLVED = "resolved"


@dataclass(slots=True)
class Case:
    """A complaint, question or urgent mention a care agent must answer."""

    post_id: int
    community: str
    author: str
    status: CaseStatus = CaseStatus.NEW
    priority: float = 0.0
    assignee: str | None = None
    department: str | None = None


@dataclass(frozen=True, slots=True)
class OutboundAction:
    """Something to carry out on a channel (hide, remove, reply, ban); queued, retried, done once."""

    channel: str
    kind: str
    target: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """Who (a person or a rule) did what, to what, when and why, under which policy version,
    in which community (None for global actions such as user management). The community is
    required by name, so no action can forget it: it decides who may read the entry."""

    at: datetime
    actor: str
    action: str
    target: str
    reason: str = ""
    policy_version: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    community_id: int | None = field(kw_only=True)
