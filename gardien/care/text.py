"""What the care inbox reads in a post's text: product, topic, severity terms, an order number.

Matching folds case and accents (``Rhône`` matches ``rhone``) and respects word boundaries, so
``app`` does not fire inside ``happy``. Catalogues are per community (see CareCatalog).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

#: Words that make a complaint more serious: safety, injury, legal threats (English and French).
SEVERE_TERMS = (
    "accident", "injury", "injured", "hurt", "hospital", "fire", "smoke", "burn", "burnt",
    "exploded", "explode", "dangerous", "unsafe", "lawyer", "lawsuit", "sue", "legal action",
    "recall", "police", "trading standards", "blessé", "blessée", "blessure", "hôpital",
    "incendie", "fumée", "brûlé", "explosé", "dangereux", "dangereuse", "avocat", "plainte",
    "procès", "rappel", "gendarmerie", "répression des fraudes",
)  # fmt: skip

#: Complaint topics and their keywords, used when a community has not written its own.
DEFAULT_TOPICS: dict[str, tuple[str, ...]] = {
    "delivery": ("delivery", "delivered", "courier", "parcel", "shipping", "tracking",
                 "livraison", "livré", "colis", "transporteur", "commande"),
    "warranty": ("warranty", "guarantee", "garantie", "sav"),
    "app": ("app", "vr connect", "bluetooth", "update", "appli", "application", "mise à jour"),
    "refund": ("refund", "money back", "reimburse", "remboursement", "rembourser", "remboursé"),
    "broken": ("broken", "broke", "died", "dead", "faulty", "defect", "cassé", "cassée", "panne",
               "en panne", "défectueux", "mort"),
    "battery": ("battery", "charger", "charging", "batterie", "chargeur", "autonomie"),
}  # fmt: skip

_ORDER = re.compile(
    r"(?:order|case|ticket|commande|dossier|n°|no\.?|#)\s*(?:number|numéro|n°|no\.?|#)?\s*"
    r"[:#]?\s*([A-Z]{0,4}-?\d{4,12})\b",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Lower case without accents, for matching only (the text itself is never changed)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=512)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    folded = sorted({fold(term) for term in terms if term.strip()}, key=len, reverse=True)
    if not folded:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(term) for term in folded) + r")(?!\w)")


@dataclass(frozen=True, slots=True)
class CareCatalog:
    """A community's products and complaint topics, compiled once."""

    products: tuple[str, ...] = ()
    topics: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_TOPICS))
    severe_terms: tuple[str, ...] = SEVERE_TERMS

    def product(self, text: str) -> str | None:
        """The catalogue name of the first product the text names (longest name wins a tie)."""
        folded = fold(text)
        best: tuple[int, int, str] | None = None
        for name in self.products:
            pattern = _pattern((name,))
            found = pattern.search(folded) if pattern else None
            if found and (best is None or (found.start(), -len(name)) < (best[0], best[1])):
                best = (found.start(), -len(name), name)
        return best[2] if best else None

    def topic(self, text: str) -> str | None:
        """The topic with the most keyword hits (first declared wins a tie), or None."""
        folded = fold(text)
        scores: list[tuple[int, int, str]] = []
        for rank, (name, words) in enumerate(self.topics.items()):
            pattern = _pattern(tuple(words))
            hits = len(pattern.findall(folded)) if pattern else 0
            if hits:
                scores.append((-hits, rank, name))
        return min(scores)[2] if scores else None

    def severe_terms_in(self, text: str) -> list[str]:
        pattern = _pattern(tuple(self.severe_terms))
        return sorted(set(pattern.findall(fold(text)))) if pattern else []


def severity(catalog: CareCatalog, text: str, offensive: float = 0.0) -> float:
    """1 when the text names a safety or legal matter, else half the offensive score (rudeness
    makes a complaint more likely to escalate, but is not a danger)."""
    return 1.0 if catalog.severe_terms_in(text) else 0.5 * min(max(offensive, 0.0), 1.0)


def order_number(text: str) -> str | None:
    """An order, case or ticket number the author gave (``Case #58213`` → ``58213``)."""
    found = _ORDER.search(text)
    return found.group(1) if found else None


def first_name(display_name: str, handle: str = "") -> str:
    """The author's first name for a greeting: the display name's first word, else the handle."""
    words = display_name.split()
    if words:
        return words[0]
    return handle.lstrip("@").split("_")[0] if handle else ""
