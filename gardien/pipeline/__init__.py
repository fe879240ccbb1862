"""The pipeline: small stages over a typed record, assembled and checked by the runner."""

from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.runner import InProcessRunner, Pipeline, Runner
from gardien.pipeline.stage import Stage

__all__ = ["InProcessRunner", "Pipeline", "Runner", "Stage", "StageContext", "TriageRecord"]
