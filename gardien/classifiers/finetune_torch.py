"""The torch side of fine-tuning (imported only by `finetune.py`, only when torch is installed)."""

from __future__ import annotations

import gzip
import math
import random
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import AutoModel

from gardien.classifiers.datasets import Split
from gardien.classifiers.finetune import batches
from gardien.classifiers.metrics import macro_f1


def fit(
    base: Path,
    texts: Sequence[str],
    labels: Sequence[int],
    recipe: Any,
    log: Callable[[str], None],
    val: Split | None = None,
) -> tuple[Classifier, int, float]:
    """Fine-tune for `recipe.epochs`; with `val`, keep the epoch that scores best on it.

    Returns the model (in eval mode), the epoch kept and its validation macro-F1 (nan without).
    """
    torch.manual_seed(recipe.seed)
    random.seed(recipe.seed)
    np.random.seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    tokenizer = tokenizer_for(base, recipe.max_tokens)
    y = np.asarray(labels)
    n_labels = max(2, int(y.max()) + 1)
    model = Classifier(base, n_labels)
    weights = torch.tensor(len(y) / (n_labels * np.bincount(y, minlength=n_labels)))
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights.float())
    per_epoch = math.ceil(len(y) / recipe.batch)
    total = per_epoch * recipe.epochs
    warm = max(1, int(recipe.warmup * total))
    optimiser = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm)))
    )
    best: tuple[float, int, dict[str, Any]] | None = None
    for epoch in range(1, recipe.epochs + 1):
        model.train()
        for step, rows in enumerate(batches(texts, recipe.batch), 1):
            logits = model(*encode(tokenizer, [texts[i] for i in rows]))
            loss = loss_fn(logits, torch.tensor(y[rows]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            if step % 100 == 0:
                log(f"  epoch {epoch} step {step}/{per_epoch} loss {loss.item():.3f}")
        if val is None:
            continue
        score = macro_f1(val.labels, predict(model, tokenizer, val.texts).argmax(axis=1))
        log(f"  epoch {epoch}: validation macro-F1 {score:.3f} (argmax)")
        if best is None or score > best[0]:
            best = (score, epoch, {k: v.detach().clone() for k, v in model.state_dict().items()})
    model.eval()
    if best is None:
        return model, recipe.epochs, float("nan")
    model.load_state_dict(best[2])
    return model, best[1], best[0]


def tokenizer_for(base: Path, max_tokens: int) -> Any:
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_tokens)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def encode(tokenizer: Any, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    encoded = tokenizer.encode_batch(texts)
    ids = torch.tensor([e.ids for e in encoded], dtype=torch.long)
    return ids, torch.tensor([e.attention_mask for e in encoded], dtype=torch.long)


def predict(model: Classifier, tokenizer: Any, texts: Sequence[str]) -> np.ndarray:
    """Logits of the float32 model (eval mode), in batches."""
    model.eval()
    with torch.no_grad():
        chunks = [model(*encode(tokenizer, list(texts[i : i + 128]))).numpy()
                  for i in range(0, len(texts), 128)]  # fmt: skip
    model.train()
    return np.concatenate(chunks)


class Classifier(torch.nn.Module):
    """Encoder + mean pooling (as all-MiniLM-L6-v2 was trained) + dropout + linear."""

    def __init__(self, base: Path, n_labels: int) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(str(base))
        self.dropout = torch.nn.Dropout(0.1)
        self.linear = torch.nn.Linear(self.encoder.config.hidden_size, n_labels)

    def pooled(self, ids: Any, mask: Any) -> Any:
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)

    def forward(self, ids: Any, mask: Any) -> Any:
        return self.linear(self.dropout(self.pooled(ids, mask)))

    def encoder_with_pooling(self) -> torch.nn.Module:
        return _Pooled(self).eval()

    def margin_layer(self) -> tuple[np.ndarray, np.ndarray]:
        """The linear layer as margins: one column (positive minus negative) when binary."""
        w = self.linear.weight.detach().numpy().T.astype(np.float32)
        b = self.linear.bias.detach().numpy().astype(np.float32)
        if w.shape[1] == 2:
            return w[:, 1:] - w[:, :1], b[1:] - b[:1]
        return w, b


class _Pooled(torch.nn.Module):
    """What is exported: token ids and mask in, the pooled vector out."""

    def __init__(self, classifier: Classifier) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, input_ids: Any, attention_mask: Any) -> Any:
        return self.classifier.pooled(input_ids, attention_mask)


def export_int8(pooled: torch.nn.Module, target: Path) -> None:
    """ONNX export (dynamic batch and length), per-channel int8 weights, gzipped."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory() as tmp:
        fp32, prepared = Path(tmp) / "fp32.onnx", Path(tmp) / "prepared.onnx"
        example = (torch.ones((2, 8), dtype=torch.long), torch.ones((2, 8), dtype=torch.long))
        axes = {0: "batch", 1: "tokens"}
        torch.onnx.export(
            pooled,
            example,
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["pooled"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "pooled": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
        int8 = Path(tmp) / "int8.onnx"
        quantize_dynamic(str(prepared), str(int8), per_channel=True, weight_type=QuantType.QInt8)
        target.write_bytes(gzip.compress(int8.read_bytes(), compresslevel=9, mtime=0))
