"""The ``data`` of each interaction kind: slash options, context menus, clicks, modal submits."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .commands import CHAT_INPUT, SUB_COMMAND, SUB_COMMAND_GROUP
from .interactions import add_resolved
from .messages import assign_component_ids, walk_components

if TYPE_CHECKING:
    from .double import DiscordDouble

OPTION_KINDS = {6: "user", 7: "channel", 8: "role", 9: "mentionable"}
SELECT_KINDS = {5: "user", 6: "role", 7: "mentionable", 8: "channel"}


def _snowflake(value: Any) -> int:
    return int(getattr(value, "id", value))


class Resolver:
    """Collects ``resolved`` data for one interaction."""

    def __init__(self, double: DiscordDouble, guild_id: int | None, channel_id: int, user_id: int) -> None:
        self.double = double
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.user_id = user_id
        self.data: dict[str, Any] = {}

    def add(self, kind: str, object_id: int) -> None:
        add_resolved(self.double, self.data, kind, object_id, guild_id=self.guild_id,
                     channel_id=self.channel_id, user_id=self.user_id)

    def attachment(self, value: Any) -> str:
        if isinstance(value, Mapping):
            filename, data, ctype = value["filename"], value["data"], value.get("content_type", "")
        else:
            filename, data, *rest = value
            ctype = rest[0] if rest else "application/octet-stream"
        att = self.double.factory.attachment(self.channel_id, filename, data, ctype, ephemeral=True)
        self.data.setdefault("attachments", {})[att["id"]] = att
        return att["id"]


def _convert(cmd_name: str, opt: dict[str, Any], value: Any, resolver: Resolver) -> dict[str, Any]:
    otype = opt["type"]
    name = opt["name"]
    where = f"/{cmd_name} option {name!r}"
    if otype == 3:
        out: Any = str(value)
    elif otype == 4:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where} is an integer, got {value!r}")
        out = value
    elif otype == 5:
        if not isinstance(value, bool):
            raise TypeError(f"{where} is a boolean, got {value!r}")
        out = value
    elif otype == 10:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{where} is a number, got {value!r}")
        out = value
    elif otype in OPTION_KINDS:
        object_id = _snowflake(value)
        resolver.add(OPTION_KINDS[otype], object_id)
        out = str(object_id)
    elif otype == 11:
        out = resolver.attachment(value)
    else:
        raise ValueError(f"{where} has unsupported type {otype}")
    choices = opt.get("choices")
    if choices and out not in [c["value"] for c in choices]:
        raise ValueError(f"{where}: {out!r} is not one of the choices {[c['value'] for c in choices]}")
    for key, check in (("min_value", lambda v, m: v >= m), ("max_value", lambda v, m: v <= m)):
        if key in opt and otype in (4, 10) and not check(out, opt[key]):
            raise ValueError(f"{where}: {out!r} breaks {key}={opt[key]}")
    for key, check in (("min_length", lambda v, m: len(v) >= m), ("max_length", lambda v, m: len(v) <= m)):
        if key in opt and otype == 3 and not check(out, opt[key]):
            raise ValueError(f"{where}: {out!r} breaks {key}={opt[key]}")
    return {"name": name, "type": otype, "value": out}


def _leaf_options(
    cmd_name: str, defs: list[dict[str, Any]], given: Mapping[str, Any], resolver: Resolver, focused: str | None
) -> list[dict[str, Any]]:
    by_name = {d["name"]: d for d in defs}
    out = []
    for name, value in given.items():
        if name not in by_name:
            raise ValueError(f"/{cmd_name} has no option {name!r}; it has {sorted(by_name)}")
        if name == focused:  # autocomplete: whatever the user typed so far, unchecked
            out.append({"name": name, "type": by_name[name]["type"], "value": value, "focused": True})
        else:
            out.append(_convert(cmd_name, by_name[name], value, resolver))
    missing = [d["name"] for d in defs if d.get("required") and d["name"] not in given]
    if missing and focused is None:
        raise ValueError(f"/{cmd_name} needs the required option(s) {missing}")
    return out


def _resolve_raw(cmd: dict[str, Any] | None, options: Sequence[dict[str, Any]], resolver: Resolver) -> None:
    for opt in options:
        if opt.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
            _resolve_raw(cmd, opt.get("options") or [], resolver)
        elif opt.get("type") in OPTION_KINDS and "value" in opt:
            resolver.add(OPTION_KINDS[opt["type"]], int(opt["value"]))


def slash_data(
    double: DiscordDouble, guild_id: int | None, name: str, options: Any, *,
    sub: str | None, sub_group: str | None, resolver: Resolver, focused: str | None = None,
) -> dict[str, Any]:
    parts = name.split()
    name = parts[0]
    if len(parts) == 3:
        sub_group, sub = parts[1], parts[2]
    elif len(parts) == 2:
        sub = parts[1]
    cmd = double.commands.find(name, CHAT_INPUT, guild_id)
    raw = options is None or isinstance(options, list | tuple)
    if cmd is None and not raw:
        raise LookupError(
            f"/{name} is not registered (global or in guild {guild_id}); the bot must sync its command tree "
            f"(or use d.register_commands) before options can be given as a dict — or pass raw option payloads"
        )
    data: dict[str, Any] = {"id": cmd["id"] if cmd else str(double.ids.next()), "name": name, "type": CHAT_INPUT}
    if cmd is not None and cmd.get("guild_id"):
        data["guild_id"] = cmd["guild_id"]
    defs = (cmd or {}).get("options") or []
    path: list[tuple[int, str]] = []
    for kind, label in ((SUB_COMMAND_GROUP, sub_group), (SUB_COMMAND, sub)):
        if label is None:
            continue
        if cmd is not None:
            match = next((d for d in defs if d["name"] == label and d["type"] == kind), None)
            if match is None:
                raise LookupError(f"/{name} has no {'group' if kind == 2 else 'subcommand'} {label!r}")
            defs = match.get("options") or []
        path.append((kind, label))
    if cmd is not None and not path and any(d["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for d in defs):
        choices = [d["name"] for d in defs]
        raise LookupError(f"/{name} has subcommands {choices}; pass sub= (and sub_group=) or 'name sub'")
    if raw:
        leaf = [copy.deepcopy(o) for o in options or []]
        _resolve_raw(cmd, leaf, resolver)
    else:
        leaf = _leaf_options(" ".join([name, *(p[1] for p in path)]), defs, options, resolver, focused)
    for kind, label in reversed(path):
        leaf = [{"name": label, "type": kind, "options": leaf}]
    if leaf:
        data["options"] = leaf
    if resolver.data:
        data["resolved"] = resolver.data
    return data


def context_data(
    double: DiscordDouble, guild_id: int | None, name: str, ctype: int, target_id: int, resolver: Resolver
) -> dict[str, Any]:
    cmd = double.commands.find(name, ctype, guild_id)
    if cmd is None:
        kind = "user" if ctype == 2 else "message"
        raise LookupError(f"{kind} context menu {name!r} is not registered (global or in guild {guild_id})")
    resolver.add("user" if ctype == 2 else "message", target_id)
    data = {"id": cmd["id"], "name": name, "type": ctype, "target_id": str(target_id), "resolved": resolver.data}
    if cmd.get("guild_id"):
        data["guild_id"] = cmd["guild_id"]
    return data


def find_component(message: dict[str, Any], custom_id: str) -> dict[str, Any]:
    found = [c for c in walk_components(message.get("components") or []) if c.get("custom_id") == custom_id]
    if not found:
        ids = [c["custom_id"] for c in walk_components(message.get("components") or []) if c.get("custom_id")]
        raise LookupError(f"message {message['id']} has no component {custom_id!r}; it has {ids}")
    return found[0]


def component_data(
    component: dict[str, Any] | None, custom_id: str, component_type: int, values: Sequence[Any] | None,
    resolver: Resolver,
) -> dict[str, Any]:
    if component is not None:
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; a user cannot use it")
        component_type = int(component["type"])
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
    if component_type != 2:
        chosen = [str(_snowflake(v)) if component_type in SELECT_KINDS else str(v) for v in values or []]
        if component is not None:
            _check_select(component, chosen)
        data["values"] = chosen
        if component_type in SELECT_KINDS:
            for v in chosen:
                resolver.add(SELECT_KINDS[component_type], int(v))
            data["resolved"] = resolver.data
    return data


def _check_select(component: dict[str, Any], chosen: list[str]) -> None:
    low, high = int(component.get("min_values", 1)), int(component.get("max_values", 1))
    if not low <= len(chosen) <= high:
        raise ValueError(f"select {component['custom_id']!r} takes {low}..{high} values, got {len(chosen)}")
    if component.get("type") == 3:
        allowed = [o["value"] for o in component.get("options", [])]
        bad = [v for v in chosen if v not in allowed]
        if bad:
            raise ValueError(f"select {component['custom_id']!r} has no option(s) {bad}; options are {allowed}")


# ------------------------------------------------------------------------- modals
def _submit_item(comp: dict[str, Any], values: Mapping[str, Any], resolver: Resolver) -> dict[str, Any]:
    ctype, cid = int(comp["type"]), comp.get("custom_id")
    value = values.get(cid) if cid else None
    out: dict[str, Any] = {"type": ctype, "id": comp.get("id"), "custom_id": cid}
    if ctype == 4:
        text = "" if value is None else str(value)
        if comp.get("required", True) and not text:
            raise ValueError(f"text input {cid!r} is required")
        if text and not int(comp.get("min_length", 0)) <= len(text) <= int(comp.get("max_length", 4000)):
            raise ValueError(f"text input {cid!r}: length {len(text)} outside min/max_length")
        out["value"] = text
    elif ctype in (3, 5, 6, 7, 8):
        chosen = [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
        chosen = [str(_snowflake(v)) if ctype in SELECT_KINDS else str(v) for v in chosen]
        if chosen or comp.get("required", True):
            _check_select(comp, chosen)
        out["values"] = chosen
        for v in chosen if ctype in SELECT_KINDS else []:
            resolver.add(SELECT_KINDS[ctype], int(v))
    elif ctype == 19:
        files = [] if value is None else list(value)
        out["values"] = [resolver.attachment(f) for f in files]
    elif ctype == 21:
        out["value"] = None if value is None else str(value)
    elif ctype == 22:
        out["values"] = [] if value is None else [str(v) for v in value]
    elif ctype == 23:
        out["value"] = bool(value)
    else:
        raise ValueError(f"unsupported modal component type {ctype}")
    return out


def modal_components(
    modal: dict[str, Any] | None, values: Mapping[str, Any], resolver: Resolver
) -> list[dict[str, Any]]:
    """Build the submit shape from the modal the bot opened (or Label(TextInput) per key without one)."""
    if modal is None:
        return [
            {"type": 18, "id": 2 * i + 1, "component": {"type": 4, "id": 2 * i + 2, "custom_id": k, "value": str(v)}}
            for i, (k, v) in enumerate(values.items())
        ]
    components = copy.deepcopy(modal.get("components") or [])
    assign_component_ids(components)
    known = {c["custom_id"] for c in walk_components(components) if c.get("custom_id")}
    unknown = set(values) - known
    if unknown:
        raise LookupError(f"modal {modal.get('custom_id')!r} has no input(s) {sorted(unknown)}; it has {sorted(known)}")
    out: list[dict[str, Any]] = []
    for comp in components:
        if comp["type"] == 18:
            out.append({"type": 18, "id": comp["id"], "component": _submit_item(comp["component"], values, resolver)})
        elif comp["type"] == 1:
            row = [_submit_item(c, values, resolver) for c in comp.get("components", [])]
            out.append({"type": 1, "id": comp["id"], "components": row})
        elif comp["type"] == 10:
            out.append({"type": 10, "id": comp["id"], "content": comp.get("content", "")})
    return out
