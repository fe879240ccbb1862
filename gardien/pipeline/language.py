"""Stage: identify the language (en / fr / other) with py3langid, whose model ships in its wheel."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from gardien.domain import Language
from gardien.pipeline.record import StageContext, TriageRecord

SUPPORTED = ("en", "fr")
#: Languages the identifier chooses among: ours plus the common ones that would otherwise be
#: mistaken for them; restricting the set makes short posts far more reliable.
CANDIDATES = ("en", "fr", "de", "es", "it", "pt", "nl", "ar", "ru", "zh", "ja", "tr", "pl")
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+|\d+", re.UNICODE)
UNSURE = 0.5


class LanguageIdentifier:
    """Wraps py3langid; the model loads on first use, not at import or construction."""

    @cached_property
    def _model(self) -> Any:
        from py3langid import langid

        model = langid.LanguageIdentifier.from_modelpath(
            langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True
        )
        model.set_languages(list(CANDIDATES))
        return model

    def identify(self, text: str, hint: str | None = None, default: str = "en") -> Language:
        """The language of `text`. When the identifier is unsure (short posts, emoji), the
        channel's hint or else the community's main language decides, with the low confidence kept."""
        cleaned = _NOISE.sub(" ", text).strip()
        if not cleaned:
            return Language(code=_supported(hint or default), confidence=0.0, raw_code="")
        raw, confidence = self._model.classify(cleaned)
        confidence = float(confidence)
        if confidence < UNSURE:
            fallback = hint if hint in SUPPORTED else default
            if raw != fallback:
                return Language(code=_supported(fallback), confidence=confidence, raw_code=raw)
        return Language(code=_supported(raw), confidence=confidence, raw_code=raw)


def _supported(code: str) -> str:
    short = code.split("-")[0].lower()
    return short if short in SUPPORTED else "other"


class IdentifyLanguage:
    """Sets `record.signals.language`."""

    name = "language"
    needs = frozenset({"text.normalized"})
    sets = frozenset({"language"})

    def __init__(self, identifier: LanguageIdentifier | None = None) -> None:
        self.identifier = identifier or LanguageIdentifier()

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            config = context.config(record.community)
            default = config.community.locales[0] if config and config.community.locales else "en"
            record.signals.language = self.identifier.identify(
                record.normalized, hint=record.post.language, default=default
            )
