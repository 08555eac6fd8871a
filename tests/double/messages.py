"""Message objects: validation the way Discord rejects bodies, mentions, attachments, edits."""

from __future__ import annotations

import copy
import re
from typing import Any

from .util import ApiError, iso, nest_error

EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_EMBEDS = 1 << 2
SUPPRESS_NOTIFICATIONS = 1 << 12
IS_COMPONENTS_V2 = 1 << 15
HAS_THREAD = 1 << 5
CROSSPOSTED = 1 << 0
SETTABLE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2 | (1 << 13)

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")

# (filename, bytes, content_type) in the order the multipart body had them, keyed by index n of files[n]
Files = dict[int, tuple[str, bytes, str]]


def _len_error(path: list[str | int], limit: int) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body",
                    nest_error(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."))


def _form_error(path: list[str | int], code: str, message: str) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body", nest_error(path, code, message))


def validate_embeds(embeds: list[dict[str, Any]], prefix: list[str | int]) -> None:
    if len(embeds) > 10:
        raise _len_error(prefix, 10)
    total = 0
    limits = {"title": 256, "description": 4096}
    for i, embed in enumerate(embeds):
        for key, limit in limits.items():
            value = embed.get(key) or ""
            total += len(value)
            if len(value) > limit:
                raise _len_error([*prefix, i, key], limit)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise _len_error([*prefix, i, "fields"], 25)
        for j, f in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                value = f.get(key)
                if not value:
                    raise _form_error([*prefix, i, "fields", j, key], "BASE_TYPE_REQUIRED", "This field is required")
                if len(value) > limit:
                    raise _len_error([*prefix, i, "fields", j, key], limit)
                total += len(value)
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        if len(footer) > 2048:
            raise _len_error([*prefix, i, "footer", "text"], 2048)
        if len(author) > 256:
            raise _len_error([*prefix, i, "author", "name"], 256)
        total += len(footer) + len(author)
    if total > 6000:
        raise _form_error(prefix, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every component, depth first (rows, containers, sections' accessories, labels' children)."""
    out: list[dict[str, Any]] = []
    for comp in components or []:
        out.append(comp)
        out.extend(walk_components(comp.get("components") or []))
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                out.extend(walk_components([comp[key]]))
    return out


def validate_components(components: list[dict[str, Any]], flags: int, prefix: list[str | int]) -> None:
    v2 = bool(flags & IS_COMPONENTS_V2)
    if not v2 and len(components) > 5:
        raise _len_error(prefix, 5)
    everything = walk_components(components)
    if v2 and len(everything) > 40:
        raise _form_error(prefix, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Too many components (max 40)")
    seen: set[str] = set()
    for i, comp in enumerate(components):
        if not v2 and comp.get("type") != 1:
            raise _form_error([*prefix, i, "type"], "UNION_TYPE_CHOICES",
                              "Value of field \"type\" must be one of (1,).")
        if comp.get("type") == 1:
            children = comp.get("components") or []
            selects = [c for c in children if c.get("type") in (3, 5, 6, 7, 8)]
            if not children or len(children) > 5 or (selects and len(children) > 1):
                raise _form_error([*prefix, i, "components"], "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                                  "The specified component exceeds the maximum width")
    for comp in everything:
        custom_id = comp.get("custom_id")
        if comp.get("type") == 2 and comp.get("style") == 5:
            if not comp.get("url") or custom_id:
                raise _form_error(prefix, "BUTTON_COMPONENT_INVALID_URL", "A link button needs a url and no custom_id")
            continue
        if comp.get("type") in (2, 3, 4, 5, 6, 7, 8) and comp.get("style") != 6:
            if not custom_id:
                raise _form_error(prefix, "BASE_TYPE_REQUIRED", "custom_id is required")
            if len(custom_id) > 100:
                raise _len_error([*prefix, "custom_id"], 100)
            if custom_id in seen:
                raise _form_error(prefix, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
            seen.add(custom_id)
        if comp.get("type") == 2 and len(comp.get("label") or "") > 80:
            raise _len_error([*prefix, "label"], 80)
        if comp.get("type") == 3 and not 1 <= len(comp.get("options") or []) <= 25:
            raise _form_error([*prefix, "options"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")


def assign_component_ids(components: list[dict[str, Any]]) -> None:
    """Discord numbers components that were sent without an ``id``."""
    everything = walk_components(components)
    used = {c["id"] for c in everything if isinstance(c.get("id"), int)}
    next_id = 1
    for comp in everything:
        if not isinstance(comp.get("id"), int):
            while next_id in used:
                next_id += 1
            comp["id"] = next_id
            used.add(next_id)


def validate_body(body: dict[str, Any], files: Files, *, edit: bool = False) -> None:
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        raise _form_error(["content"], "BASE_TYPE_STRING", "Must be a string.")
    if content and len(content) > 2000:
        raise _len_error(["content"], 2000)
    flags = int(body.get("flags") or 0)
    embeds = body.get("embeds") or []
    validate_embeds(embeds, ["embeds"])
    validate_components(body.get("components") or [], flags, ["components"])
    if flags & IS_COMPONENTS_V2 and (content or embeds):
        raise _form_error(["content"], "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                          "The 'content' and 'embeds' fields cannot be used when using components v2")
    if edit:
        return
    has_any = (
        (content or "").strip() or embeds or files or body.get("components") or body.get("sticker_ids")
        or body.get("poll") or (body.get("message_reference") or {}).get("type") == 1
    )
    if not has_any:
        raise ApiError(400, 50006, "Cannot send an empty message")


class MessageFactory:
    def __init__(self, world: Any, *, cdn_base: str) -> None:
        self.world = world
        self.cdn_base = cdn_base

    def attachment(self, channel_id: int, filename: str, data: bytes, content_type: str,
                   description: str | None = None, ephemeral: bool = False) -> dict[str, Any]:
        att_id = self.world.ids.next()
        self.world.attachments[att_id] = (data, content_type)
        url = f"{self.cdn_base}/attachments/{channel_id}/{att_id}/{filename}"
        att = {
            "id": str(att_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }
        if description:
            att["description"] = description
        if ephemeral:
            att["ephemeral"] = True
        return att

    def _attachments(self, channel_id: int, body: dict[str, Any], files: Files,
                     existing: list[dict[str, Any]], ephemeral: bool) -> list[dict[str, Any]]:
        listed = body.get("attachments")
        used: set[int] = set()
        result: list[dict[str, Any]] = []
        if listed is not None:
            by_id = {a["id"]: a for a in existing}
            for entry in listed:
                key = str(entry.get("id"))
                if key in by_id:
                    result.append(by_id[key])
                    continue
                index = int(entry.get("id", -1))
                if index not in files:
                    raise _form_error(["attachments"], "ATTACHMENT_NOT_FOUND", f"Attachment {key} not found")
                filename, data, ctype = files[index]
                used.add(index)
                result.append(self.attachment(channel_id, entry.get("filename") or filename, data, ctype,
                                              entry.get("description"), ephemeral))
        else:
            result = list(existing)
        for index in sorted(set(files) - used):
            filename, data, ctype = files[index]
            result.append(self.attachment(channel_id, filename, data, ctype, None, ephemeral))
        return result

    def mentions(self, content: str, allowed: dict[str, Any] | None, guild_id: int | None,
                 reply_author: dict[str, Any] | None) -> tuple[list[dict[str, Any]], list[str], bool]:
        parse = set(allowed.get("parse", [])) if allowed is not None else {"users", "roles", "everyone"}
        allowed_users = {str(u) for u in (allowed or {}).get("users", [])}
        allowed_roles = {str(r) for r in (allowed or {}).get("roles", [])}
        users: list[dict[str, Any]] = []
        for uid in dict.fromkeys(USER_MENTION.findall(content)):
            if ("users" in parse or uid in allowed_users) and int(uid) in self.world.users:
                users.append(self.world.user(int(uid)))
        replied = reply_author is not None and (allowed is None or allowed.get("replied_user", False))
        if replied and all(u["id"] != reply_author["id"] for u in users):  # type: ignore[index]
            users.append(reply_author)  # type: ignore[arg-type]
        roles: list[str] = []
        if guild_id is not None:
            known = self.world.guilds[guild_id].roles
            roles = [r for r in dict.fromkeys(ROLE_MENTION.findall(content))
                     if int(r) in known and ("roles" in parse or r in allowed_roles)]
        everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
        return users, roles, everyone

    def build(
        self,
        channel_id: int,
        author: dict[str, Any],
        body: dict[str, Any],
        files: Files,
        *,
        type: int = 0,
        extra_flags: int = 0,
        webhook_id: int | None = None,
        application_id: int | None = None,
        interaction_metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        ch = self.world.channel(channel_id)
        guild_id = int(ch["guild_id"]) if ch.get("guild_id") else None
        flags = (int(body.get("flags") or 0) & (SETTABLE_FLAGS | EPHEMERAL)) | extra_flags
        ephemeral = bool(flags & EPHEMERAL)
        reference = body.get("message_reference")
        referenced = None
        if reference and int(reference.get("type", 0)) == 0:
            try:
                referenced = self.world.find_message(int(reference["message_id"]))
            except ApiError:
                if reference.get("fail_if_not_exists", True):
                    raise _form_error(["message_reference"], "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                      "Unknown message") from None
            type = 19 if type == 0 else type
        content = body.get("content") or ""
        mentions, roles, everyone = self.mentions(
            content, body.get("allowed_mentions"), guild_id, referenced["author"] if referenced else None
        )
        components = copy.deepcopy(body.get("components") or [])
        assign_component_ids(components)
        message: dict[str, Any] = {
            "id": str(self.world.ids.next()),
            "channel_id": str(channel_id),
            "author": copy.deepcopy(author),
            "content": content,
            "timestamp": iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": everyone,
            "mentions": mentions,
            "mention_roles": roles,
            "attachments": self._attachments(channel_id, body, files, [], ephemeral),
            "embeds": [dict({"type": "rich"}, **e) for e in body.get("embeds") or []],
            "pinned": False,
            "type": type,
            "flags": flags,
            "components": components,
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
        if application_id is not None:
            message["application_id"] = str(application_id)
        if interaction_metadata is not None:
            message["interaction_metadata"] = interaction_metadata
        if body.get("poll"):
            message["poll"] = self._poll(body["poll"])
        if reference:
            message["message_reference"] = {
                "type": int(reference.get("type", 0)),
                "message_id": str(reference["message_id"]),
                "channel_id": str(reference.get("channel_id") or channel_id),
                **({"guild_id": str(guild_id)} if guild_id else {}),
            }
            if referenced is not None:
                ref = copy.deepcopy(referenced)
                ref.pop("referenced_message", None)
                message["referenced_message"] = ref
        return message

    def _poll(self, poll: dict[str, Any]) -> dict[str, Any]:
        answers = [dict(a, answer_id=i + 1) for i, a in enumerate(poll.get("answers", []))]
        return {
            "question": poll.get("question", {}),
            "answers": answers,
            "expiry": iso(),
            "allow_multiselect": bool(poll.get("allow_multiselect", False)),
            "layout_type": poll.get("layout_type", 1),
            "results": {"is_finalized": False, "answer_counts": []},
        }

    def apply_edit(self, message: dict[str, Any], body: dict[str, Any], files: Files) -> dict[str, Any]:
        """Apply a PATCH body in place (only the fields present change) and return the message."""
        validate_body(body, files, edit=True)
        if "content" in body:
            message["content"] = body["content"] or ""
        if "embeds" in body:
            message["embeds"] = [dict({"type": "rich"}, **e) for e in body["embeds"] or []]
        if "components" in body:
            components = copy.deepcopy(body["components"] or [])
            assign_component_ids(components)
            message["components"] = components
        if "flags" in body and body["flags"] is not None:
            keep = message["flags"] & ~(SUPPRESS_EMBEDS | IS_COMPONENTS_V2)
            message["flags"] = keep | (int(body["flags"]) & (SUPPRESS_EMBEDS | IS_COMPONENTS_V2))
        if "attachments" in body or files:
            message["attachments"] = self._attachments(
                int(message["channel_id"]), body, files, message["attachments"],
                bool(message["flags"] & EPHEMERAL),
            )
        if "content" in body or "allowed_mentions" in body:
            ch = self.world.channels.get(int(message["channel_id"])) or {}
            guild_id = int(ch["guild_id"]) if ch.get("guild_id") else None
            users, roles, everyone = self.mentions(message["content"], body.get("allowed_mentions"), guild_id, None)
            message.update(mentions=users, mention_roles=roles, mention_everyone=everyone)
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = iso()
        return message
