"""People as ban-evasion and identity linking see them: e-mails, handles, channel identities and
a few texts per person, and who is banned now."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.members.evasion import Identity
from gardien.members.ladder import standing
from gardien.store import members_repo as repo
from gardien.store.tables import AuthorRow, PostRow
from gardien.store.tables_members import MemberRow, SanctionRow

TEXTS_PER_PERSON = 20


def identity_of(session: Session, members: list[MemberRow]) -> Identity:
    """What is known of the person behind `members` (one group of linked identities)."""
    found = repo.identities(session, members)
    texts = session.scalars(
        select(PostRow.text)
        .where(PostRow.author_id.in_([author.id for _, author, _ in found]))
        .order_by(PostRow.id.desc())
        .limit(TEXTS_PER_PERSON)
    )
    return Identity(
        emails=frozenset(
            str(author.extra["email"])
            for _, author, _ in found
            if (author.extra or {}).get("email")
        ),
        handles=frozenset(author.handle for _, author, _ in found if author.handle),
        accounts=frozenset((channel, author.external_id) for _, author, channel in found),
        texts=tuple(texts),
    )


def banned_people(session: Session, community_id: int, now: datetime) -> list[MemberRow]:
    """The primary member of every person banned in the community now."""
    ids = session.scalars(
        select(SanctionRow.member_id)
        .where(
            SanctionRow.community_id == community_id,
            SanctionRow.kind == "ban",
            SanctionRow.lifted_at.is_(None),
        )
        .distinct()
    )
    people = []
    for member_id in ids:
        member = repo.get_member(session, member_id)
        rows = repo.sanctions(session, [m.id for m in repo.group(session, member)])
        if standing(repo.facts(rows), now).state == "banned":
            people.append(member)
    return people


def verified_email_twins(session: Session, member: MemberRow) -> list[MemberRow]:
    """Other members of the community whose author has the same verified e-mail."""
    found = repo.identities(session, [member])
    if not found:
        return []
    extra = found[0][1].extra or {}
    email = str(extra.get("email", "")).strip().lower()
    if not email or not extra.get("verified"):
        return []
    rows = session.execute(
        select(MemberRow, AuthorRow.extra)
        .join(AuthorRow, AuthorRow.id == MemberRow.author_id)
        .where(MemberRow.community_id == member.community_id, MemberRow.id != member.id)
    )
    return [
        other
        for other, theirs in rows
        if (theirs or {}).get("verified")
        and str((theirs or {}).get("email", "")).strip().lower() == email
    ]
