"""Crisis contacts in Finland, one data file per language (``bot/data/crisis/<locale>.json``).

Staff update the files; ``last_verified`` says when someone last checked every number and
hour, and a test warns when that is older than 180 days. The texts never promise that a
person answers at once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from bot.i18n import pick_locale

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "crisis"


@dataclass(frozen=True)
class CrisisContact:
    """Already in the language of its file."""

    name: str
    detail: str  # a phone number or a web address
    note: str
    key: str = ""  # the same contact has the same key in every language


@dataclass(frozen=True)
class CrisisContacts:
    locale: str
    last_verified: date
    contacts: tuple[CrisisContact, ...]


@cache
def crisis_contacts(locale: str) -> CrisisContacts:
    """The contacts in ``locale`` (fi, sv, en; anything else gets Finnish)."""
    chosen = pick_locale(locale)
    data = json.loads((DATA_DIR / f"{chosen}.json").read_text(encoding="utf-8"))
    return CrisisContacts(
        locale=chosen,
        last_verified=date.fromisoformat(data["last_verified"]),
        contacts=tuple(
            CrisisContact(name=c["name"], detail=c["detail"], note=c["note"], key=c["key"]) for c in data["contacts"]
        ),
    )
