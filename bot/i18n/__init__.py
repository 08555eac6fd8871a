"""gettext catalogs fi / sv / en, compiled from the ``.po`` files with Babel at load.

Each feature keeps its own catalog (``locales/<lang>/LC_MESSAGES/<feature>.po``); all of a
language's catalogs are merged into one ``GNUTranslations`` chain. Message ids are English.
Command names use the ``command`` context so a name ("setup") never clashes with prose."""

from __future__ import annotations

import gettext
import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("fi", "sv", "en")
LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}  # each in its own language
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
COMMAND_CONTEXT = "command"


def N_(msgid: str) -> str:
    """Mark a message id for extraction without translating it here."""
    return msgid


def pick_locale(*candidates: str | None, default: str = "fi") -> str:
    """The first candidate we speak: ``"sv-SE"`` → ``sv``; ``None`` and others are skipped."""
    for candidate in candidates:
        if candidate:
            short = str(candidate).split("-")[0].lower()
            if short in LOCALES:
                return short
    return default


class I18n:
    def __init__(self, directory: Path = LOCALES_DIR) -> None:
        self.catalogs: dict[str, gettext.GNUTranslations] = {
            locale: _load(directory / locale / "LC_MESSAGES") for locale in LOCALES
        }

    def t(self, locale: str, msgid: str, /, **params: Any) -> str:
        catalog = self.catalogs.get(locale) or self.catalogs[pick_locale(locale)]
        text = catalog.gettext(msgid)
        return text.format(**params) if params else text

    def tn(self, locale: str, singular: str, plural: str, n: int, /, **params: Any) -> str:
        text = self.catalogs[pick_locale(locale)].ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def command(self, locale: str, text: str) -> str | None:
        """A command or option name in ``locale``, or None when it has no translation."""
        catalog = self.catalogs[pick_locale(locale)]
        translated = catalog.pgettext(COMMAND_CONTEXT, text)
        return translated if translated != text else None

    def translate_or_none(self, locale: str, text: str) -> str | None:
        translated = self.catalogs[pick_locale(locale)].gettext(text)
        return translated if translated != text else None

    def when(self, locale: str, instant: datetime, timezone: str) -> str:
        """An instant as people in ``locale`` write it, in the guild's time zone
        (Finnish: ``12.12.2026 klo 18.00``)."""
        babel_locale, pattern = _DATE_PATTERNS[pick_locale(locale)]
        return format_datetime(instant, pattern, tzinfo=ZoneInfo(timezone), locale=babel_locale)


_DATE_PATTERNS = {
    "fi": ("fi_FI", "d.M.yyyy 'klo' H.mm"),
    "sv": ("sv_FI", "d.M.yyyy 'kl.' H.mm"),
    "en": ("en_GB", "d MMM yyyy, HH:mm"),
}


def _load(folder: Path) -> gettext.GNUTranslations:
    """All of a language's feature catalogs merged into one (first file wins on a clash)."""
    merged: Catalog | None = None
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as fp:
            catalog = read_po(fp)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id and message.string and merged.get(message.id, message.context) is None:
                merged[message.id] = message
    assert merged is not None, f"no catalogs in {folder}"
    buffer = io.BytesIO()
    write_mo(buffer, merged, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
