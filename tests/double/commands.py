"""Registered application commands, validated the way Discord validates them."""

from __future__ import annotations

import copy
import re
from typing import Any

from .util import ApiError, Snowflakes, nest_error

LOCALES = frozenset(
    ["id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko"]
)
CHAT_INPUT, USER, MESSAGE = 1, 2, 3
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
_NAME = re.compile(r"^[-_'\w]{1,32}$")


def _err(path: list[str | int], code: str, message: str) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body", nest_error(path, code, message))


def _check_name(name: Any, path: list[str | int], *, chat_input: bool) -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        raise _err(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
    if chat_input and (not _NAME.fullmatch(name) or name != name.lower()):
        raise _err(path, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")


def _check_localizations(values: Any, path: list[str | int], *, names: bool, chat_input: bool) -> None:
    for locale, text in (values or {}).items():
        if locale not in LOCALES:
            raise _err([*path, locale], "ENUM_TYPE_COERCE", f"Value \"{locale}\" is not a valid enum value.")
        if names:
            _check_name(text, [*path, locale], chat_input=chat_input)
        elif not isinstance(text, str) or not 1 <= len(text) <= 100:
            raise _err([*path, locale], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")


def _check_description(desc: Any, path: list[str | int]) -> None:
    if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
        raise _err(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")


def _check_options(options: list[dict[str, Any]], path: list[str | int], depth: int = 0) -> None:
    if len(options) > 25:
        raise _err(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    names: set[str] = set()
    seen_optional = False
    kinds = {o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options}
    if len(kinds) > 1:
        raise _err(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-command and options cannot be mixed")
    for i, opt in enumerate(options):
        here = [*path, i]
        _check_name(opt.get("name"), [*here, "name"], chat_input=True)
        _check_description(opt.get("description"), [*here, "description"])
        _check_localizations(opt.get("name_localizations"), [*here, "name_localizations"], names=True, chat_input=True)
        _check_localizations(opt.get("description_localizations"), [*here, "description_localizations"],
                             names=False, chat_input=True)
        if opt["name"] in names:
            raise _err([*here, "name"], "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS", "Option name already exists")
        names.add(opt["name"])
        if opt.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
            if opt["type"] == SUB_COMMAND_GROUP and depth > 0:
                raise _err([*here, "type"], "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Groups nest only once")
            _check_options(opt.get("options") or [], [*here, "options"], depth + 1)
            continue
        if opt.get("required"):
            if seen_optional:
                raise _err(here, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                           "Required options must be placed before non-required options")
        else:
            seen_optional = True
        choices = opt.get("choices") or []
        if len(choices) > 25:
            raise _err([*here, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, choice in enumerate(choices):
            if not 1 <= len(str(choice.get("name", ""))) <= 100:
                raise _err([*here, "choices", j, "name"], "BASE_TYPE_BAD_LENGTH",
                           "Must be between 1 and 100 in length.")
            _check_localizations(choice.get("name_localizations"), [*here, "choices", j, "name_localizations"],
                                 names=False, chat_input=True)


def validate_command(cmd: dict[str, Any], path: list[str | int]) -> None:
    ctype = int(cmd.get("type", CHAT_INPUT))
    chat_input = ctype == CHAT_INPUT
    _check_name(cmd.get("name"), [*path, "name"], chat_input=chat_input)
    _check_localizations(cmd.get("name_localizations"), [*path, "name_localizations"], names=True,
                         chat_input=chat_input)
    if chat_input:
        _check_description(cmd.get("description"), [*path, "description"])
        _check_localizations(cmd.get("description_localizations"), [*path, "description_localizations"],
                             names=False, chat_input=True)
        _check_options(cmd.get("options") or [], [*path, "options"])
    elif cmd.get("description"):
        raise _err([*path, "description"], "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                   "Context menu commands cannot have description")


class CommandStore:
    def __init__(self, ids: Snowflakes, application_id: int) -> None:
        self.ids = ids
        self.application_id = application_id
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}

    def _list(self, guild_id: int | None) -> list[dict[str, Any]]:
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.setdefault(guild_id, [])

    def _materialize(self, cmd: dict[str, Any], guild_id: int | None, old: dict[str, Any] | None) -> dict[str, Any]:
        ctype = int(cmd.get("type", CHAT_INPUT))
        perms = cmd.get("default_member_permissions")
        out: dict[str, Any] = {
            "id": old["id"] if old else str(self.ids.next()),
            "application_id": str(self.application_id),
            "version": str(self.ids.next()),
            "default_member_permissions": None if perms is None else str(perms),
            "type": ctype,
            "name": cmd["name"],
            "name_localizations": cmd.get("name_localizations") or None,
            "description": cmd.get("description", "") if ctype == CHAT_INPUT else "",
            "description_localizations": cmd.get("description_localizations") or None,
            "nsfw": bool(cmd.get("nsfw", False)),
            "contexts": cmd.get("contexts"),
            "integration_types": cmd.get("integration_types") or [0],
        }
        if guild_id is None:
            out["dm_permission"] = cmd.get("dm_permission", True) is not False
        else:
            out["guild_id"] = str(guild_id)
        if cmd.get("options"):
            out["options"] = copy.deepcopy(cmd["options"])
        return out

    def bulk_overwrite(self, commands: Any, guild_id: int | None) -> list[dict[str, Any]]:
        if not isinstance(commands, list):
            raise _err([], "BASE_TYPE_ARRAY", "Must be an array.")
        seen: set[tuple[int, str]] = set()
        for i, cmd in enumerate(commands):
            validate_command(cmd, [i])
            key = (int(cmd.get("type", CHAT_INPUT)), cmd["name"])
            if key in seen:
                raise _err([i, "name"], "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Command name {cmd['name']!r} is duplicated")
            seen.add(key)
        limits = {CHAT_INPUT: 100, USER: 15, MESSAGE: 15}
        for ctype, limit in limits.items():
            if sum(1 for t, _ in seen if t == ctype) > limit:
                raise _err([], "BASE_TYPE_MAX_LENGTH", f"Too many commands of type {ctype} (max {limit})")
        old = {(c["type"], c["name"]): c for c in self._list(guild_id)}
        new = [self._materialize(c, guild_id, old.get((int(c.get("type", 1)), c["name"]))) for c in commands]
        self._list(guild_id)[:] = new
        return copy.deepcopy(new)

    def upsert(self, cmd: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        validate_command(cmd, [])
        current = self._list(guild_id)
        key = (int(cmd.get("type", CHAT_INPUT)), cmd["name"])
        old = next((c for c in current if (c["type"], c["name"]) == key), None)
        created = self._materialize(cmd, guild_id, old)
        if old is not None:
            current[current.index(old)] = created
        else:
            current.append(created)
        return copy.deepcopy(created)

    def get(self, command_id: int, guild_id: int | None) -> dict[str, Any]:
        for c in self._list(guild_id):
            if c["id"] == str(command_id):
                return c
        raise ApiError(404, 10063, "Unknown application command")

    def edit(self, command_id: int, changes: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        cmd = self.get(command_id, guild_id)
        merged = dict(cmd, **changes)
        validate_command(merged, [])
        current = self._list(guild_id)
        updated = self._materialize(merged, guild_id, cmd)
        current[current.index(cmd)] = updated
        return copy.deepcopy(updated)

    def delete(self, command_id: int, guild_id: int | None) -> None:
        cmd = self.get(command_id, guild_id)
        self._list(guild_id).remove(cmd)

    def list(self, guild_id: int | None) -> list[dict[str, Any]]:
        return copy.deepcopy(self._list(guild_id))

    def find(self, name: str, ctype: int, guild_id: int | None) -> dict[str, Any] | None:
        """The command a user in ``guild_id`` would see under ``name``: guild commands first."""
        if guild_id is not None:
            for c in self.guild_commands.get(guild_id, []):
                if c["name"] == name and c["type"] == ctype:
                    return c
        for c in self.global_commands:
            if c["name"] == name and c["type"] == ctype:
                return c
        return None
