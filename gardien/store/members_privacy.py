"""One person's data as JSON (GDPR art. 15/20): identities, posts, applications, sanctions,
appeals, notices, acceptances and links, across every linked identity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.store import members_repo as repo
from gardien.store.members_lists import application_view
from gardien.store.members_views import member_file
from gardien.store.tables import PostRow, TriageRow
from gardien.store.tables_members import ApplicationRow


def export_person(session: Session, member_id: int, now: datetime) -> dict[str, Any]:
    """Everything Gardien holds about the person behind `member_id`, as plain data."""
    primary = repo.canonical(session, repo.get_member(session, member_id))
    people = repo.group(session, primary)
    data = member_file(session, primary.id, now)
    authors = {a.id: (a, channel) for _, a, channel in repo.identities(session, people)}
    data["profiles"] = [
        {
            "channel": channel,
            "external_id": author.external_id,
            "handle": author.handle,
            "display_name": author.display_name,
            "followers": author.followers,
            "created_at": author.created_at,
            "extra": author.extra,
        }
        for author, channel in authors.values()
    ]
    data["posts"] = [
        {
            "id": post.id,
            "channel": authors[post.author_id][1],
            "external_id": post.external_id,
            "text": post.text,
            "original_text": post.original_text,
            "created_at": post.created_at,
            "url": post.url,
            "decision": action,
        }
        for post, action in session.execute(
            select(PostRow, TriageRow.action)
            .outerjoin(TriageRow, TriageRow.post_id == PostRow.id)
            .where(PostRow.author_id.in_(list(authors)))
            .order_by(PostRow.created_at, PostRow.id)
        )
    ]
    data["applications"] = [
        application_view(row, [])
        for row in session.scalars(
            select(ApplicationRow)
            .where(ApplicationRow.member_id.in_([m.id for m in people]))
            .order_by(ApplicationRow.id)
        )
    ]
    data["exported_at"] = now
    return data
