"""The people who post in the demo: members, the brand's accounts, spammers and trolls.

Members are drawn once; spammers and trolls are created on demand shortly before they strike,
so their accounts are new, as on real platforms.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random
from typing import Any

from gardien.demo.style import Style

FIRST = {
    "fr": "Marie Julien Camille Lucas Chloé Hugo Léa Antoine Manon Thomas Inès Nicolas Sarah Maxime "
    "Élodie Romain Lucie Baptiste Emma Quentin Anaïs Mathieu Clara Florian Pauline Kevin Margaux "
    "Sébastien Océane Yann Amandine Rachid Fatou Karim Nadia Bruno Sylvie Gaëlle Thibault Jeanne",
    "en": "Emily James Olivia Jack Sophie Harry Chloe George Amelia Oliver Grace Charlie Lucy Tom "
    "Hannah Dan Ellie Sam Megan Josh Priya Callum Aisha Rhys Niamh Liam Zoe Ben Freya Mo Kirsty "
    "Connor Jess Aidan Holly Raj Katie Owen Bethany Ewan",
}
LAST = {
    "fr": "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Bonnet Dupont "
    "Lambert Fontaine Rousseau Mercier Blanc Guerin Benali Diallo Nguyen Perrin Chevalier",
    "en": "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Robinson Evans "
    "Walker Thompson White Hughes Edwards Green Hall Wood Harris Clarke Jackson Turner Hill Moore "
    "Cooper Ward Murphy Kelly O'Brien Campbell Khan Shaw Fraser",
}
NICK = {
    "fr": ["velo", "rouleur", "gravel", "biclou", "pedale", "cycliste", "vtt", "bike", "lyon"],
    "en": ["rides", "cycles", "bike", "gravel", "spokes", "wheels", "pedals", "commuter", "velo"],
}
SPAM_NAMES = [
    "Jessy",
    "Crypto Max",
    "Anna Love",
    "Promo Deals",
    "Invest Pro",
    "Lucky Winner",
    "Kelly xx",
    "Bitcoin Guru",
    "Free Gifts",
    "Sandra",
]
TROLL_HANDLES = [
    "truth_rider",
    "anti_velo",
    "gros_moteur",
    "real_talk_99",
    "le_vrai_avis",
    "no_bike_lane",
    "diesel_forever",
    "justsaying_",
    "xXroadkingXx",
    "ouvrezlesyeux",
]


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Person:
    """One author as every channel sees them (same id on each channel, for simplicity)."""

    id: str
    handle: str
    name: str
    followers: int
    created_at: datetime
    lang: str
    role: str = "member"
    style: Style = field(default_factory=Style)
    activity: float = 1.0
    verified: bool = False
    email: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "handle": self.handle,
            "name": self.name,
            "followers": self.followers,
            "created_at": stamp(self.created_at),
        }
        if self.verified:
            out["verified"] = True
        if self.email:
            out["email"] = self.email
        return out


class Cast:
    """Everyone who posts; picks an author for a post of a given language and category."""

    def __init__(self, rng: Random, start: datetime, members: int = 380) -> None:
        self.rng = rng
        self.start = start
        self.people: list[Person] = []
        self.handles: set[str] = set()
        self.by_lang: dict[str, list[Person]] = {"fr": [], "en": []}
        for i in range(members):
            self.by_lang["fr" if i % 2 == 0 else "en"].append(
                self.member("fr" if i % 2 == 0 else "en")
            )
        self.weights = {k: [p.activity for p in v] for k, v in self.by_lang.items()}
        self.spammers: list[Person] = []
        self.trolls: list[Person] = []

    def new_id(self) -> str:
        return f"u-{10001 + len(self.people)}"

    def unique(self, handle: str) -> str:
        while handle.lower() in self.handles:
            handle += self.rng.choice(string.digits)
        self.handles.add(handle.lower())
        return "@" + handle

    def add(self, person: Person) -> Person:
        self.people.append(person)
        return person

    def member(self, lang: str) -> Person:
        rng = self.rng
        first, last = rng.choice(FIRST[lang].split()), rng.choice(LAST[lang].split())
        base = rng.choice(
            [
                f"{first}{last}",
                f"{first}_{last[:3]}",
                f"{first}.{last}",
                f"{rng.choice(NICK[lang])}_{first}",
                f"{first}{rng.choice(NICK[lang])}{rng.randint(1, 99)}",
                f"{first[0]}{last}",
            ]
        )
        base = "".join(c for c in base if c.isalnum() or c in "._").replace("..", ".")
        followers = int(rng.lognormvariate(3.8, 1.6))
        if rng.random() < 0.015:
            followers = rng.randint(12000, 90000)
        years = rng.betavariate(1.2, 2.2) * 14
        person = Person(
            id=self.new_id(),
            handle=self.unique(base.lower() if rng.random() < 0.7 else base),
            name=f"{first} {last}" if rng.random() < 0.8 else first,
            followers=followers,
            created_at=(
                self.start - timedelta(days=40 + years * 365, seconds=rng.randrange(86400))
            ),
            lang=lang,
            style=Style.draw(rng),
            activity=rng.paretovariate(1.4),
            verified=followers > 12000 and rng.random() < 0.5,
            email=f"{base.lower()}@example.{rng.choice(['com', 'org', 'net'])}"
            if rng.random() < 0.12
            else None,
        )
        return self.add(person)

    def pick(self, lang: str) -> Person:
        return self.rng.choices(self.by_lang[lang], weights=self.weights[lang])[0]

    def mention(self, lang: str) -> str:
        return self.pick(lang).handle.lstrip("@")

    def spammer(self, at: datetime) -> Person:
        """A spam account: reuse a recent one, or open a new one hours or days before `at`."""
        recent = [p for p in self.spammers if at - timedelta(days=8) < p.created_at < at]
        if recent and self.rng.random() < 0.6:
            return self.rng.choice(recent)
        rng = self.rng
        name = rng.choice(SPAM_NAMES)
        handle = name.lower().replace(" ", rng.choice(["_", ""])) + str(rng.randint(100, 99999))
        person = Person(
            id=self.new_id(),
            handle=self.unique(handle),
            name=name,
            followers=rng.randint(0, 25),
            created_at=at - timedelta(minutes=rng.randint(30, 6 * 24 * 60)),
            lang="en",
            role="spammer",
        )
        self.spammers.append(person)
        return self.add(person)

    def troll(self, at: datetime, lang: str) -> Person:
        """A troll account: few of them, new, and they come back."""
        known = [p for p in self.trolls if p.created_at < at and p.lang == lang]
        if known and self.rng.random() < 0.75:
            return self.rng.choice(known)
        rng = self.rng
        person = Person(
            id=self.new_id(),
            handle=self.unique(rng.choice(TROLL_HANDLES) + str(rng.randint(1, 999))),
            name=rng.choice(["Anonyme", "Truth", "Jean Vrai", "Rider", "Bob", "Mister X"]),
            followers=rng.randint(0, 60),
            created_at=at - timedelta(hours=rng.randint(2, 20 * 24)),
            lang=lang,
            role="troll",
            style=Style(shouty=True, lower=rng.random() < 0.5, typo_rate=0.04),
        )
        self.trolls.append(person)
        return self.add(person)

    def brand(self, handle: str, name: str, followers: int) -> Person:
        person = Person(
            id=self.new_id(),
            handle="@" + handle,
            name=name,
            followers=followers,
            created_at=datetime.fromisoformat("2014-04-01T09:00:00+00:00"),
            lang="fr",
            role="brand",
            verified=True,
        )
        return self.add(person)

    def guest(self, spec: dict[str, Any]) -> Person:
        """A named author from a scenario (the influencer whose complaint goes viral)."""
        person = Person(
            id=self.new_id(),
            handle=spec["handle"],
            name=spec["name"],
            followers=spec["followers"],
            created_at=datetime.fromisoformat(spec["created_at"].replace("Z", "+00:00")),
            lang="en",
            verified=bool(spec.get("verified")),
        )
        return self.add(person)
