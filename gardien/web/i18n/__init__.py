"""The console in French and English: gettext catalogues (`<locale>/LC_MESSAGES/messages.po`,
edited with Babel's tools) read once, and the gettext functions a template is rendered with.

English is the source language; `pybabel extract -F babel.cfg -o messages.pot gardien/web`
collects the strings, `pybabel update -i messages.pot -d gardien/web/i18n` merges them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES: tuple[str, ...] = ("en", "fr")
DEFAULT = "en"
HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class Translator:
    """gettext and ngettext for one locale (untranslated strings fall back to English)."""

    locale: str
    singular: dict[str, str]
    plural: dict[str, tuple[str, ...]]

    def gettext(self, message: str, **variables: object) -> str:
        """The translation of `message`, with `%(name)s` placeholders filled from `variables`."""
        text = self.singular.get(message) or message
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, **variables: object) -> str:
        """The singular or plural translation for `n` (`%(num)d` is `n`)."""
        forms = self.plural.get(singular)
        if forms and all(forms):
            # French uses the singular for 0 and 1, English only for 1.
            many = n > 1 if self.locale == "fr" else n != 1
            text = forms[1 if many and len(forms) > 1 else 0]
        else:
            text = plural if n != 1 else singular
        return text % {"num": n, **variables}

    def functions(self) -> dict[str, Callable[..., str]]:
        """What templates call: `_`, `gettext`, `ngettext` (Jinja's i18n extension looks these up)."""
        return {"_": self.gettext, "gettext": self.gettext, "ngettext": self.ngettext}


@cache
def translator(locale: str) -> Translator:
    """The translator for `locale` (English for an unknown one), loaded once."""
    if locale not in LOCALES:
        locale = DEFAULT
    path = HERE / locale / "LC_MESSAGES" / "messages.po"
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, tuple | list):
                plural[str(message.id[0])] = tuple(str(s) for s in message.string or ())
            elif message.string:
                singular[str(message.id)] = str(message.string)
    return Translator(locale=locale, singular=singular, plural=plural)


def negotiate(accept_language: str) -> str:
    """The best of our locales for an Accept-Language header (before anyone has signed in)."""
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LOCALES:
            return code
    return DEFAULT
