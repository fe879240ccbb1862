"""The shipped policies hold floods and link campaigns for a moderator, and leave regulars and
unrepeated posts alone."""

from __future__ import annotations

import pytest

from gardien.domain import Action, Queue, Signals
from gardien.policy.defaults import default_policy
from gardien.policy.evaluator import evaluate
from tests.policy.policy_factories import author, member, post, signals

RULES = {"en": ("repeated-text", "text-copied-by-several-accounts"),
         "fr": ("texte-répété", "texte-copié-par-plusieurs-comptes")}  # fmt: skip
TEXT = "Follow my channel for electric bike reviews, a new video every week"


def counted(language: str, copies: int, authors: int) -> Signals:
    found = signals(language, repeated=1.0 if copies else 0.0)
    found.counts.update({"repeated.copies": copies, "repeated.authors": authors})
    return found


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_third_near_copy_is_held_for_a_moderator(locale: str) -> None:
    flood, _ = RULES[locale]
    policy, troll = default_policy(locale), author("troll", age_days=3)
    newcomer = member(troll, days=3, trust=0)
    second = evaluate(post(TEXT, locale), troll, newcomer, counted(locale, 1, 1), policy)
    assert flood not in {reason.rule for reason in second.reasons}
    third = evaluate(post(TEXT, locale), troll, newcomer, counted(locale, 2, 1), policy)
    assert (third.action, third.queue) == (Action.HOLD, Queue.MODERATION)
    assert flood in {reason.rule for reason in third.reasons}
    regular = member(troll, days=200, trust=3)
    by_a_regular = evaluate(post(TEXT, locale), troll, regular, counted(locale, 5, 1), policy)
    assert flood not in {reason.rule for reason in by_a_regular.reasons}


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_a_text_with_a_link_from_three_accounts_is_held(locale: str) -> None:
    _, campaign = RULES[locale]
    policy, spammer = default_policy(locale), author("spam3")
    someone = member(spammer, days=30, trust=1)
    linked = post(f"{TEXT} https://gift.example", locale)
    held = evaluate(linked, spammer, someone, counted(locale, 0, 3), policy)
    assert held.action is Action.HOLD and campaign in {reason.rule for reason in held.reasons}
    two = evaluate(linked, spammer, someone, counted(locale, 0, 2), policy)
    assert campaign not in {reason.rule for reason in two.reasons}
    plain = evaluate(post(TEXT, locale), spammer, someone, counted(locale, 0, 5), policy)
    assert campaign not in {reason.rule for reason in plain.reasons}  # "me too" replies
