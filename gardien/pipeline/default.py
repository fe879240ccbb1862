"""The default pipeline: the stages every post goes through, in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gardien.pipeline.language import IdentifyLanguage
from gardien.pipeline.normalise import Normalise
from gardien.pipeline.route import Route
from gardien.pipeline.runner import Pipeline

if TYPE_CHECKING:
    from gardien.store.db import Database


def default_pipeline() -> Pipeline:
    """Normalise → language → signals → watched words → policy decision → route."""
    from gardien.pipeline.stage import PROVIDED

    return Pipeline([Normalise(), IdentifyLanguage(), Route()], provided=PROVIDED | {"decision"})


def load_policy(database: Database, community: str) -> object:
    """The compiled policy of `community` (none until the policy engine is wired in)."""
    return None
