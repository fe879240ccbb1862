"""A fine-tuned small transformer, exported to ONNX (int8), as an accurate-tier encoder.

`gardien train --finetune` (torch, build time only) fine-tunes all-MiniLM-L6-v2 on a task and
exports the encoder with its mean pooling; here onnxruntime and tokenizers run it (the
`[accurate]` extra), so torch is never needed to run Gardien. The head on top is an ordinary
`Head`: the fine-tuned classifier layer and the stacker over the fast tier.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers.text import canonical
from gardien.errors import ConfigError

Matrix = NDArray[np.float32]

#: gzip takes the int8 model from 22 to 17 MiB; it is inflated in memory when first used.
ENCODER_FILE = "encoder.onnx.gz"
TOKENIZER_FILE = "tokenizer.json"
#: Tweets and posts past this many word pieces are cut (the model was fine-tuned at this length).
MAX_TOKENS = 96
#: What a head reads (its meta's "input"): the post as written (none), its canonical form, or
#: the canonical form with each word the fast tier's vocabulary lacks read back as the fast tier
#: reads it ("stupd" → "stupid", "pte" → "pute"; session 18): a mistyped word falls apart into
#: word pieces the model never learnt together.
CANONICAL, REPAIRED = "canonical", "repaired"
_WORD = re.compile(r"\w+")


def importable(*modules: str) -> bool:
    """Whether every module named can be imported (optional extras), without importing it."""
    return all(importlib.util.find_spec(name) is not None for name in modules)


class OnnxEncoder:
    """Texts → pooled vectors from `folder`'s encoder.onnx.gz, loaded on first use."""

    def __init__(
        self,
        folder: Path,
        threads: int = 1,
        max_tokens: int = MAX_TOKENS,
        canonical: bool = False,
        repair: Callable[[str], str] | None = None,
    ) -> None:
        self.folder = folder
        self.threads = threads
        self.max_tokens = max_tokens
        #: Read the canonical form (l33t, look-alikes, spacing and invisible characters undone),
        #: as the fast tier does, so evasions that fool the word pieces do not reach the model.
        self.canonical = canonical
        #: With the canonical form, each word as the fast tier repairs it (REPAIRED).
        self.repair = repair
        self._session: Any = None
        self._tokenizer: Any = None

    @staticmethod
    def available() -> bool:
        return importable("onnxruntime", "tokenizers")

    def _load(self) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise ConfigError(
                "this accurate-tier head needs onnxruntime and tokenizers: "
                "pip install 'gardien[accurate]'"
            ) from error
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            gzip.decompress((self.folder / ENCODER_FILE).read_bytes()),
            options,
            providers=["CPUExecutionProvider"],
        )
        tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=self.max_tokens)
        tokenizer.no_padding()
        self._tokenizer = tokenizer

    def embed(self, texts: list[str]) -> Matrix:
        """Pooled vectors, in the order of `texts`, each text run alone.

        int8 dynamic quantisation scales activations over the whole input, so in a padded batch
        a post's vector would depend on its neighbours; one text at a time, a post always gets
        the same score, and it is faster here (no padding: ~230 against ~190 posts/s)."""
        if self._session is None:
            self._load()
        out = np.zeros((len(texts), self.width), np.float32)
        if self.canonical:
            texts = [canonical(text) for text in texts]
            if (repair := self.repair) is not None:
                texts = [_WORD.sub(lambda m: repair(m.group()), text) for text in texts]
        for i, encoded in enumerate(self._tokenizer.encode_batch(texts)):
            ids = np.array([encoded.ids], dtype=np.int64)
            mask = np.ones_like(ids)
            (pooled,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[i] = pooled[0]
        return out

    @property
    def width(self) -> int:
        dim = self._session.get_outputs()[0].shape[-1]
        return dim if isinstance(dim, int) else 384
