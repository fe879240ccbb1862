"""Assembling pipelines: a stage that needs what no earlier stage sets is refused, clearly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from gardien.domain import Action, Decision, Post, Queue
from gardien.errors import PipelineError
from gardien.pipeline import InProcessRunner, Pipeline, StageContext, TriageRecord
from gardien.pipeline.language import IdentifyLanguage
from gardien.pipeline.normalise import Normalise, normalise_text
from gardien.pipeline.route import Route


def record(text: str) -> TriageRecord:
    return TriageRecord(
        community="velo",
        post=Post(
            channel="forum",
            external_id="1",
            author="a",
            text=text,
            created_at=datetime(2026, 10, 1, tzinfo=UTC),
        ),
    )


class HoldEverything:
    name = "hold"
    needs = frozenset({"text.normalized"})
    sets = frozenset({"decision"})

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for item in batch:
            item.decision = Decision(action=Action.HOLD)


def test_a_stage_before_what_it_needs_is_refused_with_the_fix() -> None:
    with pytest.raises(
        PipelineError,
        match=r"stage 1 'language' needs text.normalized, which no "
        r"earlier stage sets; put a stage that sets it before 'language'",
    ):
        Pipeline([IdentifyLanguage(), Normalise()])


def test_a_stage_listed_twice_is_refused() -> None:
    with pytest.raises(PipelineError, match="appears twice"):
        Pipeline([Normalise(), Normalise()])


def test_stages_run_in_order_and_route_follows_the_decision() -> None:
    pipeline = Pipeline([Normalise(), IdentifyLanguage(), HoldEverything(), Route()])
    assert pipeline.names == ["normalise", "language", "hold", "route"]
    [judged] = InProcessRunner(pipeline).judge(
        [record("Bonjour à tous, belle sortie !")], StageContext()
    )
    assert judged.signals.language is not None and judged.signals.language.code == "fr"
    assert judged.decision is not None and judged.decision.queue is Queue.MODERATION


def test_normalising_keeps_the_original_and_removes_invisible_characters() -> None:
    item = record("ｃｏｎ\u200bnard   !")
    Normalise()([item], StageContext())
    assert item.normalized == "connard !"
    assert item.post.text == "ｃｏｎ\u200bnard   !"
    assert normalise_text("\u202eevil\u202c") == "evil"


@pytest.mark.parametrize(
    ("text", "hint", "code"),
    [
        ("My order never arrived and nobody answers my emails", None, "en"),
        ("Ma commande n'est jamais arrivée et personne ne répond", None, "fr"),
        ("Mein Fahrrad ist kaputt und niemand antwortet mir", None, "other"),
        ("ok 👍", "fr", "fr"),
        ("https://example.com @someone #tag", None, "en"),
    ],
)
def test_language_is_en_fr_or_other_with_a_fallback_when_unsure(
    text: str, hint: str | None, code: str
) -> None:
    language = IdentifyLanguage().identifier.identify(text, hint=hint, default="en")
    assert language.code == code
    assert 0.0 <= language.confidence <= 1.0
