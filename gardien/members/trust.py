"""Trust levels: earned by time and posts without trouble, lost with every active strike.
The policy's rules read the level as `member.trust_level` (see docs/POLICY.md)."""

from __future__ import annotations

from dataclasses import dataclass

#: (level, days a member, posts) to reach each level, in the spirit of Discourse's levels.
STEPS = ((1, 1.0, 3), (2, 15.0, 20), (3, 60.0, 100))
NAMES = ("new", "basic", "member", "regular")


@dataclass(frozen=True, slots=True)
class History:
    """What the level is computed from; the store gathers it."""

    days: float
    posts: int
    removed_posts: int = 0
    active_strikes: int = 0
    banned: bool = False


def trust_level(history: History) -> int:
    """0 to 3: the highest step reached, less one per active strike; 0 when banned. Level 3
    also needs no post removed by a moderator."""
    if history.banned:
        return 0
    earned = 0
    for level, days, posts in STEPS:
        if history.days >= days and history.posts >= posts:
            earned = level
    if earned == 3 and history.removed_posts:
        earned = 2
    return max(0, earned - history.active_strikes)
