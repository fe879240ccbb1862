"""Reply drafts: the case's template in the author's language, filled with what Gardien knows
(first name, order number, product …); the agent edits the text before sending it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.care.replies import pick, render
from gardien.care.text import first_name, order_number
from gardien.store import care_config as config
from gardien.store.tables import AuthorRow, CommunityRow, PostRow
from gardien.store.tables_care import CasePostRow, CaseRow


@dataclass(frozen=True, slots=True)
class Draft:
    template: str
    language: str
    tone: str
    text: str


def draft_reply(
    session: Session,
    case: CaseRow,
    template: str,
    agent: str,
    overrides: dict[str, str] | None = None,
) -> Draft:
    """Render `template` for `case`; TemplateError naming any variable nobody could fill."""
    author = session.get_one(AuthorRow, case.author_id)
    texts = list(
        session.scalars(
            select(PostRow.text)
            .join(CasePostRow, CasePostRow.post_id == PostRow.id)
            .where(CasePostRow.case_id == case.id)
            .order_by(PostRow.created_at)
        )
    )
    locales = session.scalar(
        select(CommunityRow.settings).where(CommunityRow.id == case.community_id)
    )
    fallback = ((locales or {}).get("locales") or ["en"])[0]
    chosen = pick(
        config.templates(session, case.community_id),
        template,
        case.language,
        fallback,
        config.tone(session, case.community_id),
    )
    values: dict[str, str | None] = {
        "first_name": first_name(author.display_name, author.handle),
        "handle": author.handle,
        "order_number": next(filter(None, map(order_number, texts)), None),
        "product": case.product,
        "topic": case.topic,
        "agent": agent,
        "brand": config.brand(session, case.community_id),
        "case_id": str(case.id),
        **(overrides or {}),
    }
    return Draft(chosen.name, chosen.language, chosen.tone, render(chosen, values))
