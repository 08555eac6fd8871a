"""The aiohttp application: one REST entry point that parses, records, injects faults, routes."""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .ratelimits import Admission
from .recording import Recorded
from .util import ApiError, empty_response, json_response, ratelimit_headers

if TYPE_CHECKING:
    from .double import DiscordDouble

log = logging.getLogger(__name__)

API_PREFIX = re.compile(r"^/api(?:/v(\d+))?")


@dataclass
class Ctx:
    """A parsed request, handed to route handlers."""

    double: DiscordDouble
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: dict[int, tuple[str, bytes, str]]
    headers: dict[str, str]
    route_key: str
    extra: dict[str, Any] = field(default_factory=dict)

    def id(self, name: str) -> int:
        return int(self.params[name])

    @property
    def body(self) -> dict[str, Any]:
        return self.json if isinstance(self.json, dict) else {}

    @property
    def reason(self) -> str | None:
        return self.headers.get("X-Audit-Log-Reason")


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass
class Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    auth: bool


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        """``{name}`` matches a snowflake; ``{name:regex}`` anything else (e.g. ``@me``)."""

        def part(m: re.Match[str]) -> str:
            name, _, pattern = m.group(1).partition(":")
            return f"(?P<{name}>{pattern or r'[0-9]+'})"

        regex = re.compile(re.sub(r"\{([^}]+)\}", part, template))
        self.routes.append(Route(method, template, regex, handler, auth))

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, params, path_known) — path_known is True when only the method did not match."""
        path_known = False
        for route in self.routes:
            m = route.regex.fullmatch(path)
            if m is None:
                continue
            path_known = True
            if route.method == method:
                return route, m.groupdict(), True
        return None, {}, path_known


async def parse_body(request: web.Request) -> tuple[Any, dict[int, tuple[str, bytes, str]]]:
    files: dict[int, tuple[str, bytes, str]] = {}
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        payload: Any = None
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            name = part.name or ""
            data = await part.read(decode=False)  # type: ignore[union-attr]
            if name == "payload_json":
                payload = json.loads(data)
                continue
            m = re.fullmatch(r"files\[(\d+)\]|file(\d*)", name)
            if m is not None:
                index = int(m.group(1) or m.group(2) or 0)
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                files[index] = (part.filename or name, bytes(data), content_type)  # type: ignore[union-attr]
        return payload, files
    raw = await request.read()
    if not raw:
        return None, files
    try:
        return json.loads(raw), files
    except ValueError:
        return raw.decode(errors="replace"), files


class RestApp:
    def __init__(self, double: DiscordDouble, router: Router) -> None:
        self.double = double
        self.router = router

    async def handle(self, request: web.Request) -> web.StreamResponse:
        double = self.double
        path = API_PREFIX.sub("", request.path, count=1) or "/"
        method = request.method.upper()
        body, files = await parse_body(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        query = dict(request.query)
        route, params, path_known = self.router.match(method, path)
        route_key = f"{method} {route.template if route else path}"
        response_data: Any = None
        admission: Admission | None = None
        response: web.StreamResponse

        def rl_headers() -> dict[str, str]:
            """Enforced limits: the bucket's honest state; otherwise a bucket never near empty."""
            if admission is not None:
                return dict(admission.headers)
            return ratelimit_headers(route_key, limit=double.ratelimit_limit)

        try:
            rule = double.faults.take(method, path)
            if rule is not None:
                response = double.faults.response(rule, route_key)
            else:
                if double.ratelimits.enabled:  # opt-in: DiscordDouble.enforce_rate_limits
                    admission = double.ratelimits.admit(method, route.template if route else path, params, path,
                                                        headers.get("Authorization"))
                if admission is not None and admission.refused is not None:
                    response_data = admission.refused  # not executed: no side effect
                    response = json_response(response_data, 429, headers=rl_headers())
                elif route is None:
                    if path_known:
                        raise ApiError(405, 0, "405: Method Not Allowed")
                    raise ApiError(404, 0, "404: Not Found")
                else:
                    if route.auth and not self._authorized(headers):
                        raise ApiError(401, 0, "401: Unauthorized")
                    ctx = Ctx(double, method, path, params, query, body, files, headers, route_key)
                    result = await route.handler(ctx)
                    if isinstance(result, web.StreamResponse):
                        response = result
                        if admission is not None and not result.prepared:
                            response.headers.update(rl_headers())
                    elif result is None:
                        response = empty_response(rl_headers())
                    else:
                        response_data = result
                        response = json_response(result, headers=rl_headers())
        except ApiError as err:
            response_data = err.body()
            response = json_response(response_data, err.status, headers=rl_headers())
        except Exception as exc:  # a bug in the double must not look like a Discord outage
            log.exception("double: internal error on %s %s", method, path)
            double.internal_errors.append(f"{method} {path}: {exc!r}\n{traceback.format_exc()}")
            response_data = {"message": f"double internal error: {exc!r}", "code": 0}
            response = json_response(response_data, 400)
        double.log.append(
            Recorded(
                method=method,
                path=path,
                query=query,
                json=body,
                files=[files[i] for i in sorted(files)],
                headers=headers,
                status=response.status,
                response=response_data,
                at=time.monotonic(),
            )
        )
        return response

    def _authorized(self, headers: dict[str, str]) -> bool:
        auth = headers.get("Authorization", "")
        return auth == f"Bot {self.double.token}"

    async def attachment(self, request: web.Request) -> web.Response:
        att_id = int(request.match_info["attachment_id"])
        stored = self.double.world.attachments.get(att_id)
        if stored is None:
            return web.Response(status=404, text="Not Found")
        data, content_type = stored
        return web.Response(body=data, headers={"Content-Type": content_type})


def build_app(double: DiscordDouble, router: Router) -> web.Application:
    rest = RestApp(double, router)
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_get("/gateway", double.gateway.handle)
    app.router.add_get("/resume-gateway", double.gateway.handle)
    app.router.add_get(r"/attachments/{channel_id}/{attachment_id:\d+}/{filename}", rest.attachment)
    app.router.add_route("*", "/api{tail:.*}", rest.handle)
    return app
