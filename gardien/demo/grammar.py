"""Phrase banks and the small grammar that turns their templates into varied posts.

A template mixes literal text, `{slot}` (drawn from a bank, or generated: order numbers,
distances, links) and `[a|b|]` (pick one option; an empty option means "nothing").
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from random import Random
from typing import Any

import yaml

CHOICE = re.compile(r"\[([^\[\]]*)\]")
SLOT = re.compile(r"\{(\w+)\}")
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Bank:
    """One language's phrases: slots, category templates and reply templates."""

    lang: str
    slots: Mapping[str, Sequence[str]]
    categories: Mapping[str, Mapping[str, Any]]
    replies: Mapping[str, Sequence[str]]


def load_yaml(name: str) -> Any:
    text = resources.files("gardien.demo").joinpath("phrases", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_banks() -> dict[str, Bank]:
    common = load_yaml("common.yaml")
    banks = {}
    for lang in ("fr", "en"):
        raw = load_yaml(f"{lang}.yaml")
        slots = {**common, **raw["slots"]}
        banks[lang] = Bank(lang, slots, raw["categories"], raw["replies"])
    return banks


def _digits(rng: Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def generated_slot(name: str, lang: str, rng: Random) -> str | None:
    """Values that are better generated than listed; None when the slot is not one of these."""
    fr = lang == "fr"
    makers: dict[str, Callable[[], str]] = {
        "order": lambda: (
            rng.choice(["VR-", "#", "n°" if fr else "no. ", "CMD", ""])
            + str(rng.randint(100000, 999999))
        ),
        "ticket": lambda: rng.choice(["#", "SAV-", "CASE-"]) + str(rng.randint(20000, 99999)),
        "days": lambda: str(rng.randint(2, 40)),
        "km": lambda: str(rng.choice([rng.randint(20, 160), rng.randint(100, 4000)])),
        "km_small": lambda: str(rng.randint(4, 70)),
        "range": lambda: str(rng.randint(35, 130)),
        "hour": lambda: (
            f"{rng.randint(7, 10)}h{rng.choice(['', '00', '15', '30', '45'])}"
            if fr
            else rng.choice(
                [f"{rng.randint(7, 10)}:{rng.choice(['00', '15', '30'])}", "9am", "8am"]
            )
        ),
        "date": lambda: (
            f"{rng.randint(1, 30)}/{rng.choice(['10', '11', '12'])}"
            if fr
            else f"{rng.randint(1, 30)} {rng.choice(['Oct', 'Nov', 'Dec'])}"
        ),
        "pressure": lambda: f"{rng.randint(2, 4)},{rng.choice('05')}",
        "pressure_psi": lambda: str(rng.randint(35, 95)),
        "climb": lambda: str(rng.randint(20, 240) * 10),
        "nth": lambda: rng.choice(["troisième", "quatrième", "cinquième", "3e", "4e"]),
        "nth_en": lambda: rng.choice(["third", "fourth", "fifth", "3rd", "4th"]),
        "err": lambda: str(rng.randint(10, 99)),
        "months": lambda: str(rng.randint(1, 22)),
        "price": lambda: str(rng.choice([rng.randint(3, 99) * 50 - 10, rng.randint(20, 300)])),
        "pct": lambda: str(rng.randint(55, 100)),
        "pct2": lambda: str(rng.randint(3, 50)),
        "page": lambda: str(rng.randint(4, 80)),
        "amount": lambda: str(rng.randint(5, 90) * 100),
        "amount2": lambda: str(rng.randint(10, 500) * 1000),
        "code": lambda: "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(6)),
        "phone_fr": lambda: (
            f"+33 6 {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)} " + _digits(rng, 2)
        ),
        "phone_en": lambda: f"+44 7{_digits(rng, 3)} {_digits(rng, 6)}",
        "spam_handle": lambda: (
            rng.choice(["crypto", "invest", "trader", "gains", "promo"])
            + rng.choice(["_", ""])
            + rng.choice(["max", "julia", "pro", "king", "vip"])
            + _digits(rng, rng.randint(0, 4))
        ),
    }
    maker = makers.get(name)
    return maker() if maker else None


def expand(template: str, bank: Bank, rng: Random, mention: Callable[[], str]) -> str:
    """Fill a template: choices first (innermost out), then slots, then tidy the spacing."""
    text = template
    while (match := CHOICE.search(text)) is not None:
        option = rng.choice(match.group(1).split("|"))
        text = text[: match.start()] + option + text[match.end() :]

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = slot_value(name.lower(), bank, rng, mention)
        return value[:1].upper() + value[1:] if name[0].isupper() else value

    text = SLOT.sub(fill, text)
    text = SPACES.sub(" ", text).strip()
    return text.replace(" ,", ",").replace(" .", ".").replace("..", ".").replace(",.", ".")


def slot_value(name: str, bank: Bank, rng: Random, mention: Callable[[], str]) -> str:
    """One value for a slot; `{Slot}` (capitalised) asks for the value capitalised."""
    if name == "mention":
        return mention()
    if name in ("city2", "product2"):
        name = name[:-1]
    if name == "my_part":
        return possessive(str(rng.choice(bank.slots["part"])), bank.lang)
    if name == "agent_mention":
        agent = rng.choice(bank.slots["agent"])
        return str(rng.choice([agent, f"@{agent}_VR", f"{agent} ({name_team(bank.lang)})"]))
    made = generated_slot(name, bank.lang, rng)
    if made is not None:
        return made
    return str(rng.choice(bank.slots[name]))


def possessive(part: str, lang: str) -> str:
    """'la batterie' -> 'ma batterie', 'l'écran' -> 'mon écran'; English just says 'my'."""
    if lang != "fr":
        return f"my {part}"
    for article, mine in (("la ", "ma "), ("le ", "mon "), ("l'", "mon ")):
        if part.startswith(article):
            return mine + part[len(article) :]
    return part


def name_team(lang: str) -> str:
    return "équipe Vélo Rouge" if lang == "fr" else "Red Velo team"


def compose(
    bank: Bank,
    category: str,
    rng: Random,
    mention: Callable[[], str],
    topic: str | None = None,
) -> str:
    """A post of one category: an optional opener, one or two bodies, an optional closer."""
    spec = bank.categories[category]
    if topic is None and "body" not in spec:
        topic = rng.choice(sorted(k for k in spec if k not in ("open", "close")))
    bodies: Sequence[str] = spec[topic] if topic else spec["body"]
    count = 2 if rng.random() < 0.28 and len(bodies) > 2 else 1
    fill = lambda template: expand(template, bank, rng, mention)  # noqa: E731
    parts = [fill(rng.choice(spec["open"]))] if spec.get("open") else []
    for body in map(fill, rng.sample(list(bodies), count)):
        # After "Hello," the sentence goes on in lower case, unless it starts with a name.
        if parts and parts[-1].endswith(",") and body[1:2].islower() and not body.startswith("I "):
            body = body[0].lower() + body[1:]
        parts.append(body)
    if spec.get("close"):
        parts.append(fill(rng.choice(spec["close"])))
    return " ".join(p for p in parts if p)


def reply_text(bank: Bank, kind: str, rng: Random, mention: Callable[[], str]) -> str:
    return expand(rng.choice(bank.replies[kind]), bank, rng, mention)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
