"""REST: interaction callbacks and the interaction webhook (follow-ups, @original)."""

from __future__ import annotations

import time
from typing import Any

from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    UPDATE_MESSAGE,
    InteractionHandle,
)
from .messages import EPHEMERAL, LOADING, validate_body
from .server import Ctx, Router
from .util import ApiError, invalid_form, nest_error, not_found

UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")
TOKEN_LIFETIME_S = 15 * 60


def _bad_type(message: str) -> ApiError:
    return invalid_form(nest_error(["type"], "INTERACTION_RESPONSE_TYPE_INVALID", message))


def _component_message_id(h: InteractionHandle) -> int | None:
    msg = h.payload.get("message")
    return int(msg["id"]) if msg else None


def _metadata(h: InteractionHandle) -> dict[str, Any]:
    p = h.payload
    user = (p.get("member") or {}).get("user") or p.get("user")
    meta: dict[str, Any] = {
        "id": str(h.id),
        "type": h.type,
        "user": user,
        "authorizing_integration_owners": p.get("authorizing_integration_owners", {}),
    }
    data = p.get("data") or {}
    if h.type == APPLICATION_COMMAND:
        meta["name"] = data.get("name")
        meta["command_type"] = data.get("type", 1)
        if data.get("type") == 2:
            meta["target_user"] = data["resolved"]["users"][data["target_id"]]
        elif data.get("type") == 3:
            meta["target_message_id"] = data["target_id"]
    elif h.type == MESSAGE_COMPONENT and p.get("message"):
        meta["interacted_message_id"] = p["message"]["id"]
    elif h.type == MODAL_SUBMIT and h.parent is not None:
        meta["triggering_interaction_metadata"] = _metadata(h.parent)
    return meta


def _message_type(h: InteractionHandle) -> int:
    if h.type == APPLICATION_COMMAND:
        return 20 if (h.payload.get("data") or {}).get("type", 1) == 1 else 23
    return 0


def create_response_message(ctx: Ctx, h: InteractionHandle, body: dict[str, Any], *, loading: bool) -> dict[str, Any]:
    d = ctx.double
    files = ctx.files
    msg = d.factory.build(
        h.channel_id,
        d.world.user(d.bot_user_id),
        body,
        files,
        type=_message_type(h),
        extra_flags=LOADING if loading else 0,
        webhook_id=d.application_id,
        application_id=d.application_id,
        interaction_metadata=_metadata(h),
    )
    if h.type == APPLICATION_COMMAND:
        p = h.payload
        msg["interaction"] = {"id": str(h.id), "type": h.type, "name": (p.get("data") or {}).get("name"),
                              "user": _metadata(h)["user"]}
    ephemeral = bool(msg["flags"] & EPHEMERAL)
    d.world.store_message(msg, ephemeral=ephemeral)
    if not ephemeral:
        d.emit_message("MESSAGE_CREATE", msg)
    return msg


async def callback(ctx: Ctx) -> Any:
    d = ctx.double
    h = d.interactions.get(ctx.id("interaction_id"))
    if h is None or h.token != ctx.params["token"]:
        raise ApiError(*UNKNOWN_INTERACTION)
    now = time.monotonic()
    if h.callback is not None:
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    if now - h.sent_at > d.interaction_deadline:
        if h.late_at is None:
            h.late_at = now
            h._notify()
        raise ApiError(*UNKNOWN_INTERACTION)
    body = ctx.body
    rtype = int(body.get("type", 0))
    data = body.get("data") or {}
    from_message = _component_message_id(h)
    resource: dict[str, Any] = {"type": rtype}
    message: dict[str, Any] | None = None
    if rtype == CHANNEL_MESSAGE:
        if h.type == AUTOCOMPLETE:
            raise _bad_type("Autocomplete interactions can only be answered with type 8")
        validate_body(data, ctx.files)
        message = create_response_message(ctx, h, data, loading=False)
    elif rtype == DEFERRED_CHANNEL_MESSAGE:
        if h.type == AUTOCOMPLETE:
            raise _bad_type("Autocomplete interactions can only be answered with type 8")
        message = create_response_message(ctx, h, {"content": "", "flags": data.get("flags", 0)}, loading=True)
    elif rtype in (DEFERRED_UPDATE, UPDATE_MESSAGE):
        if from_message is None:
            raise _bad_type("Only interactions on a message can update it")
        if rtype == UPDATE_MESSAGE:
            target = d.world.find_message(from_message)
            d.factory.apply_edit(target, data, ctx.files)
            if not target["flags"] & EPHEMERAL:
                d.emit_message("MESSAGE_UPDATE", target)
            message = target
        h.original_message_id = from_message
    elif rtype == AUTOCOMPLETE_RESULT:
        if h.type != AUTOCOMPLETE:
            raise _bad_type("Only autocomplete interactions take choices")
        if len(data.get("choices") or []) > 25:
            raise invalid_form(nest_error(["data", "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    elif rtype == MODAL:
        if h.type in (MODAL_SUBMIT, AUTOCOMPLETE):
            raise _bad_type("A modal cannot answer this interaction")
        _validate_modal(data)
    else:
        raise _bad_type(f"Unsupported response type {rtype}")
    if message is not None:
        h.original_message_id = int(message["id"])
        resource["message"] = message
    h.callback = body
    h.callback_files = [ctx.files[i] for i in sorted(ctx.files)]
    h.callback_at = now
    h._notify()
    if ctx.query.get("with_response") not in ("1", "true", "True"):
        return None
    result: dict[str, Any] = {
        "interaction": {
            "id": str(h.id),
            "type": h.type,
            "response_message_loading": rtype == DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(int(data.get("flags") or 0) & EPHEMERAL),
        }
    }
    if message is not None:
        result["interaction"]["response_message_id"] = message["id"]
    if rtype in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE, MODAL):
        result["resource"] = resource
    return result


def _validate_modal(data: dict[str, Any]) -> None:
    title, custom_id, components = data.get("title") or "", data.get("custom_id") or "", data.get("components") or []
    if not 1 <= len(title) <= 45:
        raise invalid_form(nest_error(["data", "title"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length."))
    if not 1 <= len(custom_id) <= 100:
        raise invalid_form(nest_error(["data", "custom_id"], "BASE_TYPE_BAD_LENGTH",
                                      "Must be between 1 and 100 in length."))
    if not 1 <= len(components) <= 5:
        raise invalid_form(nest_error(["data", "components"], "BASE_TYPE_BAD_LENGTH",
                                      "Must be between 1 and 5 in length."))
    for i, comp in enumerate(components):
        if comp.get("type") not in (1, 10, 18):
            raise invalid_form(nest_error(["data", "components", i, "type"], "UNION_TYPE_CHOICES",
                                          "Modal components must be labels, text displays or action rows"))
        if comp.get("type") == 18 and len(comp.get("label") or "") > 45:
            raise invalid_form(nest_error(["data", "components", i, "label"], "BASE_TYPE_MAX_LENGTH",
                                          "Must be 45 or fewer in length."))


# -------------------------------------------------------------------- webhook
def _handle(ctx: Ctx) -> InteractionHandle:
    d = ctx.double
    h = d.handles_by_token.get(ctx.params["token"])
    if h is None or ctx.id("application_id") != d.application_id or h.callback is None:
        raise not_found(10015, "Webhook")
    if time.monotonic() - h.sent_at > TOKEN_LIFETIME_S:
        raise ApiError(401, 50027, "Invalid Webhook Token")
    return h


def _owned_message(ctx: Ctx, h: InteractionHandle) -> dict[str, Any]:
    ref = ctx.params["message_id"]
    if ref == "@original":
        if h.original_message_id is None or h.deleted_original:
            raise not_found(10008, "Message")
        return ctx.double.world.find_message(h.original_message_id)
    mid = int(ref)
    owned = {h.original_message_id, *(int(m["id"]) for m in h.followup_messages)}
    if mid not in owned:
        raise not_found(10008, "Message")
    return ctx.double.world.find_message(mid)


async def followup(ctx: Ctx) -> Any:
    h = _handle(ctx)
    body = ctx.body
    validate_body(body, ctx.files)
    d = ctx.double
    msg = d.factory.build(
        h.channel_id, d.world.user(d.bot_user_id), body, ctx.files, type=_message_type(h),
        webhook_id=d.application_id, application_id=d.application_id, interaction_metadata=_metadata(h),
    )
    ephemeral = bool(msg["flags"] & EPHEMERAL)
    d.world.store_message(msg, ephemeral=ephemeral)
    if not ephemeral:
        d.emit_message("MESSAGE_CREATE", msg)
    h.followups.append(body)
    h.followup_messages.append(msg)
    h._notify()
    if ctx.query.get("wait") in ("1", "true", "True"):
        return msg
    return None


async def get_message(ctx: Ctx) -> Any:
    return _owned_message(ctx, _handle(ctx))


async def edit_message(ctx: Ctx) -> Any:
    h = _handle(ctx)
    msg = _owned_message(ctx, h)
    ctx.double.factory.apply_edit(msg, ctx.body, ctx.files)
    if not msg["flags"] & EPHEMERAL:
        ctx.double.emit_message("MESSAGE_UPDATE", msg)
    h.edits.append(ctx.body)
    h._notify()
    return msg


async def delete_message(ctx: Ctx) -> Any:
    h = _handle(ctx)
    msg = _owned_message(ctx, h)
    ctx.double.delete_message(int(msg["channel_id"]), int(msg["id"]))
    if int(msg["id"]) == h.original_message_id:
        h.deleted_original = True
    h._notify()
    return None


def register(r: Router) -> None:
    token = "{token:[A-Za-z0-9_.-]+}"
    r.add("POST", f"/interactions/{{interaction_id}}/{token}/callback", callback, auth=False)
    base = f"/webhooks/{{application_id}}/{token}"
    r.add("POST", base, followup, auth=False)
    for method, handler in (("GET", get_message), ("PATCH", edit_message), ("DELETE", delete_message)):
        r.add(method, f"{base}/messages/{{message_id:[0-9]+|@original}}", handler, auth=False)
