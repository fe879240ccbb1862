"""The verifiable draw, from its published document alone: recomputed winners, and tampering
(an entry changed after it was made, a swapped seed, late entries) detected."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from gardien.insights import giveaway as g

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SEED = "b7c1" * 16
CAST = ["@ana", "@bruno", "@chloe", "@dev", "@emma", "@farid"]


def published(winners: int = 2) -> dict[str, object]:
    commit = g.commitment(SEED)
    entries = [
        g.Entry(n, f"member:{n}", handle, T0 + timedelta(hours=n))
        for n, handle in enumerate(CAST, start=1)
    ]
    head = g.receipts(commit, entries)[-1]
    drawn = g.draw(SEED, head, entries, winners)
    return g.publication(
        "Win a Rhône E7",
        winners,
        commit,
        committed_at=T0,
        closes_at=T0 + timedelta(days=2),
        entries=entries,
        head=head,
        seed=SEED,
        drawn=drawn,
    )


def test_anyone_recomputes_the_winners_from_the_published_document() -> None:
    document = published()
    result = g.verify(document)
    assert result.ok, result.problems
    assert result.winners == document["drawn"]
    assert len(set(result.winners)) == 2


def test_the_draw_does_not_depend_on_the_order_entries_are_listed_in() -> None:
    commit = g.commitment(SEED)
    entries = [g.Entry(n, f"member:{n}", "@x", T0) for n in range(1, 30)]
    head = g.receipts(commit, entries)[-1]
    assert g.draw(SEED, head, entries, 3) == g.draw(SEED, head, list(reversed(entries)), 3)


def test_changing_one_entry_after_it_was_made_is_detected() -> None:
    document = published()
    tampered = copy.deepcopy(document)
    tampered["entries"][2]["handle"] = "@mallory"  # type: ignore[index]
    result = g.verify(tampered)
    assert not result.ok
    assert any("entry 3" in problem for problem in result.problems)


def test_rewriting_the_whole_chain_still_breaks_the_published_head() -> None:
    document = published()
    tampered = copy.deepcopy(document)
    entries = g._entries(tampered)
    entries[0] = g.Entry(1, "member:99", "@mallory", entries[0].at)
    for item, receipt in zip(  # type: ignore[call-overload]
        tampered["entries"],
        g.receipts(str(tampered["commitment"]), entries),
        strict=True,
    ):
        item["receipt"] = receipt
    tampered["entries"][0].update(entrant="member:99", handle="@mallory")  # type: ignore[index]
    result = g.verify(tampered)
    assert not result.ok
    assert "the entries do not match the entries head published at close" in result.problems


def test_a_seed_other_than_the_committed_one_is_refused() -> None:
    document = published()
    document["seed"] = "0" * 64
    assert (
        "the revealed seed does not match the published commitment" in g.verify(document).problems
    )


def test_entries_after_closing_and_late_commitments_are_reported() -> None:
    document = published()
    document["committed_at"] = document["closes_at"]
    assert "the seed was committed after entries closed" in g.verify(document).problems


def test_eligibility_explains_each_refusal() -> None:
    rules = g.Eligibility(member_days=30, thread="rf-100374")
    newcomer = g.Candidate("member:1", "@new", T0 - timedelta(days=3), sanctioned=True)
    assert g.refusals(newcomer, rules, T0) == [
        "member for less than 30 days",
        "has not posted in thread rf-100374",
        "under a sanction",
    ]
    regular = g.Candidate(
        "member:2", "@old", T0 - timedelta(days=90), False, frozenset({"rf-100374"})
    )
    assert g.refusals(regular, rules, T0) == []
