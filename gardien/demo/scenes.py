"""The scripted moments a demo needs to show: a complaint going viral, off-topic flame wars,
a spam wave of near-duplicates, and a few edited posts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gardien.demo.generate import Generator, when
from gardien.demo.threads import Draft, weighted

VIRAL_MIX = {
    "metoo": 38,
    "react": 20,
    "troll": 10,
    "insult": 5,
    "chatter": 12,
    "question": 10,
    "praise": 5,
}
FLAME_MIX = {"offtopic": 45, "insult": 22, "calm": 20, "hate": 5, "troll": 8}


def viral(gen: Generator, spec: dict[str, Any]) -> Draft:
    """An influencer's complaint: replies pile up faster and faster, the brand answers late."""
    at = when(spec["at"])
    author = gen.cast.guest(spec["author"])
    root = Draft(spec["channel"], author, spec["text"].strip(), at, "complaint", "en")
    root.viral, root.edit = True, spec["edit"]
    gen.drafts.append(root)
    for i in range(spec["replies"]):
        # Quadratic spacing: few replies in the first hours, then a flood on day two.
        offset = timedelta(hours=60 * ((i + 1) / spec["replies"]) ** 0.6)
        kind = weighted(gen.rng, {k: float(v) for k, v in VIRAL_MIX.items()})
        parent = root if gen.rng.random() < 0.75 else gen.rng.choice(root.children or [root])
        reply = gen.post(root.channel, kind, "en", at + offset, parent=parent)
        reply.text = f"{parent.author.handle} {reply.text}"
    late = at + timedelta(hours=27, minutes=14)
    gen.post(root.channel, "care", "en", late, gen.brands[root.channel], parent=root)
    return root


def flame(gen: Generator, spec: dict[str, Any], lang: str) -> Draft:
    """An off-topic post by a new account that turns a thread into a fight."""
    at = when(spec["at"])
    author = gen.cast.troll(at, lang)
    root = Draft(spec["channel"], author, spec["text"].strip(), at, "offtopic", lang)
    gen.drafts.append(root)
    thread = [root]
    for _ in range(spec["replies"]):
        at = at + timedelta(minutes=3 + gen.rng.expovariate(1 / 25))
        kind = weighted(gen.rng, {k: float(v) for k, v in FLAME_MIX.items()})
        parent = gen.rng.choice(thread[-4:])
        reply = gen.post(root.channel, kind, lang, at, parent=parent)
        thread.append(reply)
    return root


def spam_wave(gen: Generator, spec: dict[str, Any]) -> None:
    """The same giveaway link under many threads within a few hours, with small variations."""
    at = when(spec["at"])
    targets = [
        d
        for d in gen.drafts
        if d.channel == spec["channel"] and d.root is None and not d.private and d.created_at < at
    ]
    targets.sort(key=lambda d: d.created_at)
    spammer = gen.cast.spammer(at)
    for i in range(spec["copies"]):
        if i % 4 == 3:
            spammer = gen.cast.spammer(at)
        at = at + timedelta(minutes=gen.rng.randint(2, 25))
        parent = gen.rng.choice(targets[-80:])
        text = spec["text"].replace("50", str(gen.rng.randint(7, 60)))
        text = (
            text
            if gen.rng.random() < 0.5
            else text.replace("!!", gen.rng.choice(["!", "!!!", " 🎁"]))
        )
        draft = Draft(parent.channel, spammer, text, at, "spam", "en", parent, parent.thread)
        parent.children.append(draft)
        gen.drafts.append(draft)


def edits(gen: Generator, count: int) -> None:
    """A few authors come back to fix or update what they wrote."""
    candidates = [
        d
        for d in gen.drafts
        if d.category in ("complaint", "question", "chatter")
        and d.author.role == "member"
        and not d.viral
    ]
    for draft in gen.rng.sample(candidates, count):
        bank = gen.writer.banks[draft.lang]
        draft.edit = gen.rng.choice(bank.replies["edit_suffix"])


def play(gen: Generator) -> None:
    scenes = gen.world["scenarios"]
    viral(gen, scenes["viral"])
    flame(gen, scenes["flame_fr"], "fr")
    flame(gen, scenes["flame_en"], "en")
    spam_wave(gen, scenes["spam_wave"])
    edits(gen, 28)
