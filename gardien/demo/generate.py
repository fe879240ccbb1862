"""Fill each channel with threads: ordinary days, complaint surges, and the scripted scenes
(a complaint that goes viral, off-topic flame wars, a spam wave)."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random
from typing import Any

from gardien.demo.cast import Cast, Person
from gardien.demo.style import apply_style
from gardien.demo.threads import (
    DM_MIX,
    REPLIES,
    REPLY_RATE,
    Draft,
    Writer,
    geometric,
    phrase_category,
    weighted,
)

ANGRY = {"complaint", "insult", "troll", "hate", "offtopic"}
HOURS = [1, 0.5, 0.3, 0.2, 0.3, 1, 3, 5, 6, 6, 5, 5, 6, 6, 5, 5, 6, 8, 9, 9, 8, 6, 4, 2]
BRANDS = {
    "rouleurs-forum": ("VeloRouge", "Vélo Rouge (équipe)", 0),
    "riders-social": ("RedVelo", "Red Velo", 21400),
    "reviews": ("VeloRouge_Reponse", "Vélo Rouge — réponse du fabricant", 0),
    "support-social": ("VeloRougeHelp", "Vélo Rouge Help", 8300),
}


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Generator:
    """Writes every draft post of the demo, channel by channel, from one seeded random source."""

    def __init__(self, rng: Random, world: dict[str, Any], cast: Cast, writer: Writer) -> None:
        self.rng, self.world, self.cast, self.writer = rng, world, cast, writer
        self.start, self.end = when(world["start"]), when(world["end"])
        self.brands = {ch: cast.brand(*spec) for ch, spec in BRANDS.items()}
        days = (self.end - self.start).days + 1
        self.day_weights = [
            1.4 if (self.start + timedelta(d)).weekday() >= 5 else 1.0 for d in range(days)
        ]
        self.drafts: list[Draft] = []

    # -- time -----------------------------------------------------------------------------
    def root_time(self) -> datetime:
        day = self.rng.choices(range(len(self.day_weights)), weights=self.day_weights)[0]
        hour = self.rng.choices(range(24), weights=HOURS)[0]
        return self.start + timedelta(days=day, hours=hour, seconds=self.rng.randrange(3600))

    def surge(self, at: datetime, topic: str | None = None) -> float:
        for s in self.world["surges"]:
            if (topic is None or s["topic"] == topic) and when(s["start"] + "T00:00:00Z") <= at < (
                when(s["end"] + "T00:00:00Z") + timedelta(days=1)
            ):
                return float(s["factor"])
        return 1.0

    # -- authors and texts ----------------------------------------------------------------
    def author(self, category: str, lang: str, at: datetime) -> Person:
        roll = self.rng.random()
        if category == "spam":
            return self.cast.spammer(at)
        if (category == "troll" and roll < 0.85) or (category in ("hate", "insult") and roll < 0.4):
            return self.cast.troll(at, lang)
        return self.cast.pick(lang)

    def post(
        self,
        channel: str,
        kind: str,
        lang: str,
        at: datetime,
        author: Person | None = None,
        topic: str | None = None,
        parent: Draft | None = None,
    ) -> Draft:
        category = phrase_category(kind)
        text, lang, borrowed = self.writer.text(kind, lang, topic)
        who = author or self.author(category, lang, at)
        if who.role != "brand" and not borrowed:
            emojis = self.writer.banks[lang].slots[
                "emoji_neg" if category in ANGRY else "emoji_pos"
            ]
            text = apply_style(text, who.style, lang, category in ANGRY, self.rng, list(emojis))
        draft = Draft(
            channel, who, text, at, category, lang, parent, parent.thread if parent else None
        )
        if parent is not None:
            parent.children.append(draft)
        self.drafts.append(draft)
        return draft

    # -- ordinary threads -----------------------------------------------------------------
    def channel(self, spec: dict[str, Any]) -> None:
        for _ in range(spec["roots"]):
            at = self.root_time()
            lang = "fr" if self.rng.random() < spec["fr"] else "en"
            private = self.rng.random() < spec["dm"]
            mix = {k: float(v) for k, v in (DM_MIX if private else spec["mix"]).items()}
            if "complaint" in mix:
                mix["complaint"] *= max(1.0, self.surge(at) / 2)
            category = weighted(self.rng, mix)
            topic = self.complaint_topic(at) if category == "complaint" else None
            root = self.post(spec["name"], category, lang, at, topic=topic)
            root.private = private
            self.address_brand(root, spec)
            if spec["kind"] == "reviews":
                self.review(root)
            elif private:
                self.dm_thread(root)
            else:
                rate = spec["replies"] * REPLY_RATE.get(category, 1.0)
                self.replies(root, geometric(self.rng, rate), REPLIES[category], spec["kind"])

    def complaint_topic(self, at: datetime) -> str:
        topics = self.world["complaint_topics"]
        return weighted(self.rng, {t: w * self.surge(at, t) for t, w in topics.items()})

    def address_brand(self, root: Draft, spec: dict[str, Any]) -> None:
        if spec["kind"] != "social" or root.private:
            return
        if root.category not in ("complaint", "question", "praise"):
            return
        handle = self.brands[spec["name"]].handle
        if handle.lower() not in root.text.lower() and self.rng.random() < 0.6:
            root.text = (
                f"{handle} {root.text}" if self.rng.random() < 0.7 else f"{root.text} {handle}"
            )

    def delay(self, kind: str) -> timedelta:
        mean_minutes = {"forum": 200.0, "social": 70.0, "reviews": 1500.0}[kind]
        return timedelta(minutes=1 + self.rng.expovariate(1 / mean_minutes))

    def replies(self, root: Draft, count: int, mix: dict[str, int], kind: str) -> None:
        weights = {k: float(v) for k, v in mix.items()}
        thread = [root]
        for _ in range(count):
            reply_kind = weighted(self.rng, weights)
            parent = root if self.rng.random() < 0.6 else self.rng.choice(thread)
            at = max(parent.created_at, thread[-1].created_at) + self.delay(kind)
            if at > self.end:
                return
            author: Person | None = None
            if reply_kind == "care":
                author = self.brands[root.channel]
                weights.pop("care")
            elif reply_kind == "thanks":
                author = root.author
                weights.pop("thanks")
            lang = root.lang if self.rng.random() < 0.93 else {"fr": "en", "en": "fr"}[root.lang]
            if author is None and reply_kind in ("metoo",):
                author = self.cast.pick(lang)
            draft = self.post(root.channel, reply_kind, lang, at, author, parent=parent)
            if kind == "social" and parent.author is not draft.author and self.rng.random() < 0.6:
                draft.text = f"{parent.author.handle} {draft.text}"
            thread.append(draft)

    def dm_thread(self, root: Draft) -> None:
        """A direct message: the brand answers, the member sometimes comes back."""
        if root.category == "spam" or self.rng.random() > 0.85:
            return
        at = root.created_at + timedelta(minutes=self.rng.randint(20, 30 * 60))
        if at > self.end:
            return
        care = self.post(
            root.channel, "care", root.lang, at, self.brands[root.channel], parent=root
        )
        care.private = True
        if self.rng.random() < 0.55:
            back = "thanks" if self.rng.random() < 0.6 else "complaint"
            again = at + timedelta(minutes=self.rng.randint(5, 600))
            if again <= self.end:
                self.post(
                    root.channel, back, root.lang, again, root.author, parent=care
                ).private = True

    def review(self, root: Draft) -> None:
        """Reviews carry a star rating; the brand replies to many of them, slowly."""
        stars = {"praise": (4, 5), "complaint": (1, 2), "feature_request": (3, 4), "spam": (5, 5)}
        low, high = stars.get(root.category, (1, 4))
        root.extra["rating"] = self.rng.randint(low, high)
        root.extra["language"] = root.lang
        odds = 0.7 if root.category == "complaint" else 0.25
        if (
            root.category in ("praise", "complaint", "question", "feature_request")
            and self.rng.random() < odds
        ):
            at = root.created_at + self.delay("reviews")
            if at <= self.end:
                kind = "care" if root.category != "praise" else "welcome"
                self.post(root.channel, kind, root.lang, at, self.brands[root.channel], parent=root)
