"""Errors a user can hit, each with a message that says what went wrong and what to do."""

from __future__ import annotations


class GardienError(Exception):
    """Base of every error Gardien raises on purpose; its message is shown to the user as is."""

    code = "error"


class ConfigError(GardienError):
    """A setting is missing or invalid."""

    code = "config"


class PipelineError(GardienError):
    """A pipeline was assembled wrongly (a stage needs a signal no earlier stage sets)."""

    code = "pipeline"


class IngestError(GardienError):
    """One incoming record cannot be accepted; the message says why."""

    code = "bad_record"


class SignatureError(GardienError):
    """A webhook's signature or timestamp does not check out."""

    code = "bad_signature"


class NotFoundError(GardienError):
    """The thing asked for does not exist, or the caller may not see it (both answer the same)."""

    code = "not_found"


class PolicyError(GardienError):
    """A policy file is invalid; the message names the line and the reason."""

    code = "policy"


class ConflictError(GardienError):
    """Someone else got there first (a claimed item, an already decided appeal); nothing changed."""

    code = "conflict"
