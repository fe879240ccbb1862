"""A community's product catalogue (products and aspects, with the words that name them) and
the matcher that finds which product and aspect a post talks about.

Kept in the community's settings under `insights` (with the brand's own accounts, whose replies
count as the brand answering, and optional funnel rules); matching ignores case and accents and
respects word boundaries, so "E7" does not fire inside "E75" nor "app" inside "apple"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gardien.errors import GardienError


class CatalogueError(GardienError):
    """A catalogue file or form is not valid; the message says which entry and why."""

    code = "bad_catalogue"


@dataclass(frozen=True, slots=True)
class Entry:
    """A product or an aspect: its display name and the words that name it in posts."""

    name: str
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Catalogue:
    products: tuple[Entry, ...] = ()
    aspects: tuple[Entry, ...] = ()
    brand_accounts: tuple[str, ...] = ()
    funnel: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "products": [{"name": e.name, "terms": list(e.terms)} for e in self.products],
            "aspects": [{"name": e.name, "terms": list(e.terms)} for e in self.aspects],
            "brand_accounts": list(self.brand_accounts),
            "funnel": dict(self.funnel),
        }


def fold(text: str) -> str:
    """Lower case without accents: what matching compares."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _entries(data: Any, kind: str) -> tuple[Entry, ...]:
    if data is None:
        return ()
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise CatalogueError(f"{kind} must be a list")
    entries = []
    for index, item in enumerate(data):
        if not isinstance(item, Mapping) or not str(item.get("name", "")).strip():
            raise CatalogueError(f"{kind}[{index}] needs a name")
        name = str(item["name"]).strip()
        terms = item.get("terms") or [name]
        if not isinstance(terms, Sequence) or isinstance(terms, str):
            raise CatalogueError(f"{kind}[{index}] ({name}): terms must be a list of words")
        cleaned = tuple(str(term).strip() for term in terms if str(term).strip())
        entries.append(Entry(name, cleaned or (name,)))
    names = [entry.name for entry in entries]
    if len(set(names)) != len(names):
        raise CatalogueError(f"{kind}: two entries share a name")
    return tuple(entries)


def parse_catalogue(data: Any) -> Catalogue:
    """A Catalogue from plain data: `{"products": [{"name", "terms"}], "aspects": [...]}`."""
    if data is None:
        return Catalogue()
    if not isinstance(data, Mapping):
        raise CatalogueError("a catalogue is a mapping with 'products' and 'aspects'")
    accounts = data.get("brand_accounts") or []
    funnel = data.get("funnel") or {}
    if not isinstance(accounts, Sequence) or isinstance(accounts, str):
        raise CatalogueError("brand_accounts must be a list of handles")
    if not isinstance(funnel, Mapping):
        raise CatalogueError("funnel must be a mapping of rule names to numbers")
    return Catalogue(
        _entries(data.get("products"), "products"),
        _entries(data.get("aspects"), "aspects"),
        tuple(str(handle).strip() for handle in accounts if str(handle).strip()),
        dict(funnel),
    )


class Matcher:
    """Finds the first-named product and aspect of a text; compiled once per catalogue."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._products = self._compile(catalogue.products)
        self._aspects = self._compile(catalogue.aspects)

    @staticmethod
    def _compile(entries: Sequence[Entry]) -> tuple[re.Pattern[str], dict[str, str]] | None:
        owner: dict[str, str] = {}
        for entry in entries:
            for term in entry.terms:
                owner.setdefault(fold(term), entry.name)
        if not owner:
            return None
        # Longest first, so "rhone e7 sport" wins over "rhone e7".
        alternation = "|".join(re.escape(term) for term in sorted(owner, key=len, reverse=True))
        return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])"), owner

    @staticmethod
    def _first(compiled: tuple[re.Pattern[str], dict[str, str]] | None, text: str) -> str | None:
        if compiled is None:
            return None
        pattern, owner = compiled
        found = pattern.search(text)
        return None if found is None else owner[found.group(0)]

    def match(self, text: str) -> tuple[str | None, str | None]:
        """(product, aspect) named in `text`, each None when none is."""
        folded = fold(text)
        return self._first(self._products, folded), self._first(self._aspects, folded)
