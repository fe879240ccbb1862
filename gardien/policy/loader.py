"""Reading a policy file: YAML in, a checked PolicyFile out, or a PolicyError naming the line.

A policy with an error is refused whole: nothing is half-applied. Versions are content hashes,
so the same text always has the same version and every decision can name the text that made it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gardien.domain.time import ensure_utc
from gardien.errors import PolicyError
from gardien.policy.schema import PolicyFile


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    """One saved text of a policy: its content hash, who saved it and when (stored by the store)."""

    community: str
    digest: str
    author: str = ""
    saved_at: datetime | None = None

    @property
    def id(self) -> str:
        """The short form recorded on every decision, e.g. ``acme@3f2a9c1b0d4e``."""
        return f"{self.community}@{self.digest[:12]}"


def digest_of(text: str) -> str:
    """The content hash of a policy text (line endings normalised, so CRLF saves change nothing)."""
    canonical = text.replace("\r\n", "\n").strip() + "\n"
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def new_version(
    policy: PolicyFile, text: str, author: str = "", saved_at: datetime | None = None
) -> PolicyVersion:
    """The version record for `text` (already parsed as `policy`)."""
    moment = None if saved_at is None else ensure_utc(saved_at)
    return PolicyVersion(policy.community, digest_of(text), author, moment)


def parse_policy(text: str, source: str = "policy") -> PolicyFile:
    """Parse and check a policy text; raise PolicyError("source:line: reason") on any error."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PolicyError(f"{source}:{line}: not valid YAML: {error.problem}") from error
    except yaml.reader.ReaderError as error:  # a control character: found by the API's fuzzing
        raise PolicyError(f"{source}:1: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise PolicyError(f"{source}:1: a policy is a mapping of keys (community:, rules: …)")
    try:
        return PolicyFile.model_validate(data)
    except ValidationError as error:
        raise PolicyError(_describe(error, root, source)) from error


def load_policy_file(path: Path) -> tuple[PolicyFile, str]:
    """Read and check the policy at `path`; return it with its text (for versioning)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(f"{path}: cannot read the policy file: {error.strerror}") from error
    return parse_policy(text, str(path)), text


def _describe(error: ValidationError, root: yaml.Node | None, source: str) -> str:
    """Every validation problem as ``source:line: where: reason``, one per line."""
    lines = []
    for problem in error.errors():
        location = [part for part in problem["loc"] if not _is_model_tag(part)]
        line = _line_of(root, location)
        where = ".".join(str(part) for part in location) or "(top)"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see docs/POLICY.md)"
        lines.append(f"{source}:{line}: {where}: {message}")
    return "\n".join(lines)


def _is_model_tag(part: Any) -> bool:
    """Pydantic adds union member names ("str", "float") to locations; they are not keys."""
    return isinstance(part, str) and part in {"str", "float", "bool", "int"}


def _line_of(node: yaml.Node | None, location: list[Any]) -> int:
    """The 1-based line of the deepest YAML node that `location` reaches."""
    line = 1 if node is None else node.start_mark.line + 1
    for part in location:
        if isinstance(node, yaml.MappingNode):
            key = {"not_": "not", "in_": "in"}.get(str(part), str(part))
            pairs = [(k, v) for k, v in node.value if k.value == key]
            if not pairs:
                return line
            key_node, node = pairs[0]
            line = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
