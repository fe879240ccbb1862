"""Reply drafts from multilingual templates with variables, in the author's language and the
brand's tone. The agent edits the draft before it is sent; nothing here sends anything."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gardien.errors import GardienError

#: Variables a template may use; anything else is refused when the template is saved.
VARIABLES = frozenset(
    {"first_name", "handle", "order_number", "product", "topic", "agent", "brand", "case_id"}
)


class TemplateError(GardienError):
    """A template uses an unknown variable, is malformed, or needs a value nobody gave."""

    code = "bad_template"


@dataclass(frozen=True, slots=True)
class ReplyTemplate:
    name: str
    language: str
    body: str
    tone: str = "warm"


def variables_in(body: str) -> list[str]:
    """The variables a template body uses, in order; TemplateError if it is malformed."""
    try:
        fields = [
            name for _, name, spec, conv in string.Formatter().parse(body) if name is not None
        ]
    except ValueError as error:
        raise TemplateError(f"template is malformed: {error}") from None
    for name in fields:
        if name not in VARIABLES:
            known = ", ".join(sorted(VARIABLES))
            raise TemplateError(f"unknown variable {{{name}}}; use one of: {known}")
    return fields


def pick(
    templates: Sequence[ReplyTemplate],
    name: str,
    language: str | None,
    fallback_language: str = "en",
    tone: str | None = None,
) -> ReplyTemplate:
    """The template `name` in the author's language, else the community's, else any; the
    brand's `tone` preferred among equals."""
    named = [template for template in templates if template.name == name]
    if not named:
        raise TemplateError(f"no reply template named {name!r}")
    for wanted in (language, fallback_language, None):
        found = [t for t in named if wanted is None or t.language == wanted]
        if found:
            return next((t for t in found if t.tone == tone), found[0])
    return named[0]


def render(template: ReplyTemplate, values: Mapping[str, str | None]) -> str:
    """The draft text; TemplateError naming every variable left without a value."""
    used = variables_in(template.body)
    missing = sorted({name for name in used if not values.get(name)})
    if missing:
        raise TemplateError(
            f"template {template.name!r} needs {', '.join(missing)}; give them to draft the reply"
        )
    return template.body.format_map({name: values[name] for name in used})
