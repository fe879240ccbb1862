"""A brand's communities and the channels their posts come from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Community:
    """A group of people gathered around a brand or a topic, with its own policy and culture."""

    slug: str
    name: str
    description: str = ""
    locales: tuple[str, ...] = ("en",)
    off_limit_themes: tuple[str, ...] = ()
    watched_words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Channel:
    """One place posts come from (a forum, a social account, a feed), tied to one community."""

    name: str
    kind: str
    community: str
    settings: dict[str, str] = field(default_factory=dict)
