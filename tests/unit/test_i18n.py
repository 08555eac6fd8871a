"""Finnish first: every message id and every command name has fi and sv translations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from discord import app_commands

from bot.app import Kohtaamo
from bot.i18n import COMMAND_CONTEXT, LOCALES_DIR, I18n, pick_locale
from bot.settings import Settings

ROOT = Path(__file__).parents[2]
KEYWORDS = {"t": (2,), "tn": (2, 3), "KohtaamoError": None, "N_": None}


def catalog(locale: str) -> dict[tuple[str | None, str], object]:
    entries = {}
    for path in (LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as fp:
            for message in read_po(fp):
                if message.id and message.string and not message.fuzzy:
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    entries[(message.context, key)] = message.string
    return entries


def used_msgids() -> set[str]:
    found = set()
    for folder in ("bot", "cogs"):
        for _fn, _line, msg, _comments, _ctx in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(msg[0] if isinstance(msg, tuple) else msg)
    return found


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_every_message_id_is_translated(locale):
    have = catalog(locale)
    missing = sorted(m for m in used_msgids() if (None, m) not in have)
    assert missing == [], f"{locale} lacks translations"


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_translations_keep_their_placeholders(locale):
    import string

    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    broken = [
        msgid for (ctx, msgid), text in catalog(locale).items()
        if ctx is None and isinstance(text, str) and fields(text) != fields(msgid)
    ]
    assert broken == []


async def command_strings(tmp_path) -> tuple[set[str], set[str]]:
    bot = Kohtaamo(Settings.from_mapping({"DATABASE_PATH": str(tmp_path / "k.db")}), timers=False, jobs=False)
    await bot.setup_hook()
    names, descriptions = set(), set()

    def walk(item: app_commands.Command | app_commands.Group | app_commands.ContextMenu) -> None:
        names.add(item.name)
        if isinstance(item, app_commands.ContextMenu):
            return
        descriptions.add(item.description)
        if isinstance(item, app_commands.Group):
            for child in item.commands:
                walk(child)
        else:
            for param in item.parameters:
                names.add(param.display_name)
                descriptions.add(param.description)

    for command in bot.tree.get_commands():
        walk(command)
    await bot.close()
    return names, descriptions


@pytest.mark.parametrize("locale", ["fi", "sv"])
async def test_every_command_name_and_description_is_translated(tmp_path, locale):
    names, descriptions = await command_strings(tmp_path)
    have = catalog(locale)
    assert sorted(n for n in names if (COMMAND_CONTEXT, n) not in have) == []
    assert sorted(d for d in descriptions if (None, d) not in have) == []


def test_localized_command_names_are_valid_for_discord():
    import re

    valid = re.compile(r"^[-_\w]{1,32}$")
    for locale in ("fi", "sv"):
        for (ctx, msgid), text in catalog(locale).items():
            if ctx == COMMAND_CONTEXT and " " in msgid:  # a context menu's name: words, as shown in the menu
                assert isinstance(text, str) and 1 <= len(text) <= 32 and text.strip() == text, text
            elif ctx == COMMAND_CONTEXT:
                assert valid.match(text) and text == text.lower(), text


def test_locale_choice_order():
    assert pick_locale("sv", "fi", default="en") == "sv"
    assert pick_locale(None, "sv-SE", default="fi") == "sv"
    assert pick_locale(None, "de", default="fi") == "fi"
    assert pick_locale(None, "en-US", default="fi") == "en"


def test_dates_are_written_the_local_way():
    i18n = I18n()
    when = datetime(2026, 12, 12, 16, 0, tzinfo=UTC)
    assert i18n.when("fi", when, "Europe/Helsinki") == "12.12.2026 klo 18.00"
    assert i18n.when("sv", when, "Europe/Helsinki") == "12.12.2026 kl. 18.00"
    assert i18n.when("en", when, "Europe/Helsinki") == "12 Dec 2026, 18:00"


def test_translation_with_parameters():
    i18n = I18n()
    assert i18n.t("fi", "The bot lacks: {permissions}.", permissions="X") == "Botilta puuttuu: X."
    assert i18n.t("en", "The bot lacks: {permissions}.", permissions="X") == "The bot lacks: X."


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_a_message_in_two_catalogs_is_translated_the_same_in_both(locale):
    seen: dict[tuple[str | None, str], tuple[str, object]] = {}
    clashes = []
    for path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fp:
            for message in read_po(fp):
                if not message.id:
                    continue
                key = (message.context, message.id if isinstance(message.id, str) else message.id[0])
                if key in seen and seen[key][1] != message.string:
                    clashes.append((key, seen[key][0], path.name))
                seen.setdefault(key, (path.name, message.string))
    assert clashes == []


def test_catalogs_of_all_features_are_merged_with_their_contexts():
    i18n = I18n()
    assert i18n.command("fi", "company") == "seura"  # company.po
    assert i18n.command("fi", "setup") == "asetukset"  # setup.po
    assert i18n.t("fi", "moderator") == "moderaattori"  # prose, common.po
    assert i18n.tn("sv", "{n} conversation", "{n} conversations", 2) == "2 samtal"


async def test_no_catalog_entry_is_left_that_nothing_uses(tmp_path):
    names, descriptions = await command_strings(tmp_path)
    used = used_msgids() | descriptions
    stale = [
        key for key in catalog("fi")
        if (key[0] == COMMAND_CONTEXT and key[1] not in names) or (key[0] is None and key[1] not in used)
    ]
    assert stale == []
