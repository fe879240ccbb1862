"""The default pipeline: the stages every post goes through, in order."""

from __future__ import annotations

from gardien.pipeline.decide import Decide
from gardien.pipeline.language import IdentifyLanguage
from gardien.pipeline.normalise import Normalise
from gardien.pipeline.route import Route
from gardien.pipeline.runner import Pipeline
from gardien.pipeline.shadow import ShadowDecide
from gardien.pipeline.signals import signal_stages
from gardien.pipeline.watched_words import WatchedWords


def default_pipeline() -> Pipeline:
    """Normalise → language → signals → watched words → policy decision → route → shadow."""
    return Pipeline(
        [
            Normalise(),
            IdentifyLanguage(),
            *signal_stages(),
            WatchedWords(),
            Decide(),
            Route(),
            ShadowDecide(),
        ]
    )
