"""Typed records of the core: no I/O, no framework, importable anywhere."""

from gardien.domain.community import Channel, Community
from gardien.domain.decision import Action, Decision, Queue, Reason
from gardien.domain.moderation import AuditEntry, Case, CaseStatus, ModerationItem, OutboundAction
from gardien.domain.people import Author, Member
from gardien.domain.post import Engagement, EngagementSample, Post, PostRevision, Visibility
from gardien.domain.signals import Language, Score, Signals, Span
from gardien.domain.time import ensure_utc, utcnow

__all__ = [
    "Action",
    "AuditEntry",
    "Author",
    "Case",
    "CaseStatus",
    "Channel",
    "Community",
    "Decision",
    "Engagement",
    "EngagementSample",
    "Language",
    "Member",
    "ModerationItem",
    "OutboundAction",
    "Post",
    "PostRevision",
    "Queue",
    "Reason",
    "Score",
    "Signals",
    "Span",
    "Visibility",
    "ensure_utc",
    "utcnow",
]
