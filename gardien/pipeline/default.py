"""The default pipeline: the stages every post goes through, in order."""

from __future__ import annotations

from gardien.classifiers.accurate import AccurateTier
from gardien.pipeline.accurate_requests import AccurateOnRequest
from gardien.pipeline.decide import Decide
from gardien.pipeline.language import IdentifyLanguage
from gardien.pipeline.normalise import Normalise
from gardien.pipeline.repeated import RepeatedText
from gardien.pipeline.route import Route
from gardien.pipeline.runner import Pipeline
from gardien.pipeline.shadow import ShadowDecide
from gardien.pipeline.signals import accurate_stages, signal_stages
from gardien.pipeline.watched_words import WatchedWords
from gardien.settings import Settings


def default_pipeline(settings: Settings | None = None) -> Pipeline:
    """Normalise → language → signals (→ accurate tier) → repeated text → watched words →
    decide → route → shadow.

    The accurate tier re-scores unsure posts for the tasks `settings.accurate` names, and for
    those a community's policy asks for (`accurate:`), on that community's posts. The
    repeated-text stage's look-back comes with the batch (`StageContext.history`), since the
    store loads the earlier posts it reads.
    """
    tier = AccurateTier()  # one tier: a post is embedded once for all its e5 heads
    server_wide = settings.accurate if settings is not None else ()
    accurate = accurate_stages(server_wide, tier)
    requested = AccurateOnRequest(server_wide, tier)
    return Pipeline(
        [
            Normalise(),
            IdentifyLanguage(),
            *signal_stages(),
            *accurate,
            requested,
            RepeatedText(),
            WatchedWords(),
            Decide(),
            Route(),
            ShadowDecide(),
        ]
    )
