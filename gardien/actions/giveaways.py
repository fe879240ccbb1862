"""Giveaways anyone can verify, step by step: create, commit the seed's hash, enter (one entry
per person, chained receipts), close (publish the entries head), draw (reveal the seed). Each
`do_*` is one transaction with its audit entry; announcements go out through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gardien.actions.insights import InsightsError, Who, send_post, write_audit
from gardien.errors import ConflictError
from gardien.insights import giveaway as draw_rules
from gardien.store.communities import find_community
from gardien.store.insights_animation import candidate_for, entries_of, find_member
from gardien.store.tables_insights import GiveawayEntryRow, GiveawayRow


def _announce(
    session: Session, who: Who, giveaway: GiveawayRow, step: str, text: str, channel: str | None
) -> None:
    if channel:
        send_post(session, who, f"giveaway:{giveaway.id}:{step}", channel, None, text)


def do_create_giveaway(
    session: Session,
    who: Who,
    community: str,
    title: str,
    closes_at: datetime,
    winners: int = 1,
    prize: str = "",
    eligibility: draw_rules.Eligibility = draw_rules.Eligibility(),
) -> GiveawayRow:
    if winners < 1:
        raise InsightsError("a giveaway needs at least one winner")
    if closes_at <= who.now:
        raise InsightsError("entries must close in the future")
    row = find_community(session, community)
    giveaway = GiveawayRow(
        community_id=row.id,
        title=title,
        prize=prize,
        winners=winners,
        eligibility=eligibility.to_dict(),
        closes_at=closes_at,
        status="draft",
        created_by=who.actor,
        created_at=who.now,
    )
    session.add(giveaway)
    session.flush()
    rules = eligibility.to_dict()
    write_audit(
        session, who, row.id, "giveaway.create", f"giveaway:{giveaway.id}", title, eligibility=rules
    )
    return giveaway


def do_commit_giveaway(
    session: Session,
    who: Who,
    giveaway: GiveawayRow,
    seed: str | None = None,
    keep_seed: bool = True,
    channel: str | None = None,
) -> str:
    """Publish sha256(seed) before entries close; returns the seed (show it to the organiser
    once when it is not kept on the server)."""
    if giveaway.status != "draft":
        raise ConflictError(f"giveaway {giveaway.id} is already {giveaway.status}")
    if who.now >= giveaway.closes_at:
        raise InsightsError("the seed must be committed before entries close")
    seed = seed or draw_rules.new_seed()
    giveaway.commitment = draw_rules.commitment(seed)
    giveaway.committed_at = who.now
    giveaway.seed = seed if keep_seed else None
    giveaway.status = "open"
    write_audit(
        session,
        who,
        giveaway.community_id,
        "giveaway.commit",
        f"giveaway:{giveaway.id}",
        commitment=giveaway.commitment,
    )
    _announce(
        session,
        who,
        giveaway,
        "commit",
        f"Giveaway “{giveaway.title}”: the draw's seed is committed, sha256 = {giveaway.commitment}",
        channel,
    )
    return seed


def do_enter_giveaway(
    session: Session, who: Who, giveaway: GiveawayRow, handle: str
) -> GiveawayEntryRow:
    """Enter the person behind `handle` once (linked identities count as one person)."""
    if giveaway.status != "open" or giveaway.commitment is None:
        raise InsightsError("entries are not open (commit the seed first, or they have closed)")
    if who.now >= giveaway.closes_at:
        raise InsightsError("entries have closed")
    member = find_member(session, giveaway.community_id, handle)
    person = f"member:{member.id}"
    if session.scalar(
        select(GiveawayEntryRow.id).where(
            GiveawayEntryRow.giveaway_id == giveaway.id, GiveawayEntryRow.person == person
        )
    ):
        raise ConflictError(f"{handle} has already entered (one entry per person)")
    rules = draw_rules.Eligibility.from_dict(giveaway.eligibility)
    candidate = candidate_for(session, member, handle, rules.thread, who.now)
    refused = draw_rules.refusals(candidate, rules, who.now)
    if refused:
        raise InsightsError(f"{handle} may not enter: {'; '.join(refused)}")
    # One entry at a time per giveaway: the chain needs the previous receipt.
    session.execute(select(GiveawayRow.id).where(GiveawayRow.id == giveaway.id).with_for_update())
    last = session.execute(
        select(GiveawayEntryRow.n, GiveawayEntryRow.receipt)
        .where(GiveawayEntryRow.giveaway_id == giveaway.id)
        .order_by(GiveawayEntryRow.n.desc())
        .limit(1)
    ).first()
    n, previous = (last[0] + 1, last[1]) if last else (1, giveaway.commitment)
    entry = draw_rules.Entry(n, person, handle, who.now)
    row = GiveawayEntryRow(
        giveaway_id=giveaway.id,
        n=n,
        person=person,
        member_id=member.id,
        handle=handle,
        at=who.now,
        receipt=draw_rules.receipt(previous, entry),
    )
    session.add(row)
    session.flush()
    write_audit(
        session,
        who,
        giveaway.community_id,
        "giveaway.enter",
        f"giveaway:{giveaway.id}",
        handle,
        n=n,
        receipt=row.receipt,
    )
    return row


def do_close_giveaway(
    session: Session, who: Who, giveaway: GiveawayRow, channel: str | None = None
) -> str:
    """Freeze the entries: publish the last receipt (the entries head)."""
    if giveaway.status != "open" or giveaway.commitment is None:
        raise ConflictError(f"giveaway {giveaway.id} is {giveaway.status}, not open")
    chain = draw_rules.receipts(giveaway.commitment, entries_of(session, giveaway.id))
    giveaway.entries_head = chain[-1] if chain else giveaway.commitment
    giveaway.closed_at, giveaway.status = who.now, "closed"
    write_audit(
        session,
        who,
        giveaway.community_id,
        "giveaway.close",
        f"giveaway:{giveaway.id}",
        entries=len(chain),
        head=giveaway.entries_head,
    )
    _announce(
        session,
        who,
        giveaway,
        "close",
        f"Giveaway “{giveaway.title}”: {len(chain)} entries, entries head = {giveaway.entries_head}",
        channel,
    )
    return giveaway.entries_head


def do_draw_giveaway(
    session: Session,
    who: Who,
    giveaway: GiveawayRow,
    seed: str | None = None,
    channel: str | None = None,
) -> list[str]:
    """Reveal the seed and draw; the winners are recomputable by anyone (`giveaway verify`)."""
    if giveaway.status != "closed" or giveaway.entries_head is None or giveaway.commitment is None:
        raise ConflictError(f"giveaway {giveaway.id} is {giveaway.status}; close it before drawing")
    seed = seed or giveaway.seed
    if seed is None:
        raise InsightsError("the seed was not kept on the server: give it to draw")
    if draw_rules.commitment(seed) != giveaway.commitment:
        raise InsightsError("this seed does not match the published commitment")
    entries = entries_of(session, giveaway.id)
    winners = draw_rules.draw(seed, giveaway.entries_head, entries, giveaway.winners)
    giveaway.revealed_seed, giveaway.drawn, giveaway.drawn_at = seed, winners, who.now
    giveaway.status = "drawn"
    handles = {entry.entrant: entry.handle for entry in entries}
    named = ", ".join(handles[w] for w in winners) or "nobody (no entries)"
    write_audit(
        session,
        who,
        giveaway.community_id,
        "giveaway.draw",
        f"giveaway:{giveaway.id}",
        named,
        seed=seed,
        winners=winners,
    )
    _announce(
        session,
        who,
        giveaway,
        "draw",
        f"Giveaway “{giveaway.title}”: seed = {seed}; winners: {named}",
        channel,
    )
    return winners
