"""Shipped policies (English, French) and word lists, read from package data on demand."""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gardien.policy.compiler import CompiledPolicy

#: Shipped word lists a policy may `include`, by name.
SHIPPED_LISTS = ("offensive-en", "offensive-fr")
#: Locales with a shipped default policy; others fall back to English.
DEFAULT_LOCALES = ("en", "fr")


@lru_cache(maxsize=8)
def shipped_list(name: str) -> tuple[str, ...]:
    """The terms of shipped list `name` (KeyError with the known names if there is none)."""
    if name not in SHIPPED_LISTS:
        raise KeyError(f"no shipped list {name!r}; known: {', '.join(SHIPPED_LISTS)}")
    data = importlib.resources.files(__package__).joinpath("lists", f"{name}.txt")
    lines = data.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def default_policy_text(locale: str) -> str:
    """The YAML of the shipped policy for `locale` (English when there is none for it)."""
    chosen = locale if locale in DEFAULT_LOCALES else "en"
    return importlib.resources.files(__package__).joinpath(f"{chosen}.yaml").read_text("utf-8")


def default_policy(
    locale: str, community: str = "", watched_words: Sequence[str] = ()
) -> CompiledPolicy:
    """The shipped policy for `locale`, compiled (cached per version), named for `community`;
    the community profile's own `watched_words` are added as a `community-words` list (flag)."""
    return _default_policy(locale, community, tuple(watched_words))


@lru_cache(maxsize=64)
def _default_policy(locale: str, community: str, watched_words: tuple[str, ...]) -> CompiledPolicy:
    """Parsing the YAML costs milliseconds: the stages ask for every post, so remember it."""
    from gardien.policy.compiler import compile_text

    text = default_policy_text(locale)
    if community:
        text = text.replace("community: default", f"community: {json.dumps(community)}", 1)
    if watched_words:
        words = json.dumps(list(watched_words), ensure_ascii=False)
        entry = f"    - {{name: community-words, action: flag, terms: {words}}}\n"
        text = text.replace("  lists:\n", "  lists:\n" + entry, 1)
    return compile_text(text, source=f"default-{locale}.yaml", author="gardien")
