"""Requests, responses and the router of the agent's HTTP listener.

Handlers are plain functions ``handler(request) -> Response | JSON value``. A JSON value
(dict, list, …) becomes a ``200 application/json`` answer; raising :class:`ApiError`
becomes ``{"error": code, "message": text, ...extra}`` with its status.

Paths under ``/api/`` are the API (Host check, JSON, optional bearer auth); every other
path is a page (block page, help) that answers any Host. Routes may hold ``{name}``
segments, handed to the handler in ``request.path_params``.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agent.auth import Role

API_PREFIX = "/api/"

AuthRequirement = Literal["parent", "child"] | None
JsonValue = Any


class ApiError(Exception):
    """An error answer: ``{"error": code, "message": message, **extra}`` with `status`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: JsonValue,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.extra = extra

    def to_response(self) -> Response:
        body = {"error": self.code, "message": self.message, **self.extra}
        return json_response(body, status=self.status, headers=self.headers)


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str
    headers: Mapping[str, str] = field(default_factory=dict)


def json_response(
    value: JsonValue, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, body, "application/json; charset=utf-8", dict(headers or {}))


def html_response(
    text: str, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(status, text.encode("utf-8"), "text/html; charset=utf-8", dict(headers or {}))


@dataclass(frozen=True)
class Request:
    """One parsed request, as a handler sees it."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    client_address: str
    path_params: Mapping[str, str] = field(default_factory=dict)
    role: Role | None = None
    token: str | None = None  # the bearer token, when one was sent and accepted

    @property
    def is_api(self) -> bool:
        return is_api_path(self.path)

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> JsonValue:
        """The body as JSON; ApiError 400/415 when it is not."""
        content_type = self.headers.get("content-type", "")
        if not self.body:
            raise ApiError(400, "bad_request", "the request needs a JSON body")
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise ApiError(415, "unsupported_media_type", "the body must be application/json")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, "bad_json", f"the body is not valid JSON: {exc}") from exc

    def json_object(self) -> dict[str, JsonValue]:
        value = self.json()
        if not isinstance(value, dict):
            raise ApiError(400, "bad_request", "the body must be a JSON object")
        return value

    def form(self) -> dict[str, str]:
        """An ``application/x-www-form-urlencoded`` body (for the pages' forms)."""
        text = self.body.decode("utf-8", errors="replace")
        return {key: values[-1] for key, values in urllib.parse.parse_qs(text).items()}


Handler = Callable[[Request], "Response | JsonValue"]


def is_api_path(path: str) -> bool:
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    auth: AuthRequirement
    regex: re.Pattern[str]

    @property
    def is_api(self) -> bool:
        return is_api_path(self.pattern)


_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _compile(pattern: str) -> re.Pattern[str]:
    if not pattern.startswith("/"):
        raise ValueError(f"a route path must start with '/': {pattern!r}")
    parts: list[str] = []
    position = 0
    for match in _PARAM.finditer(pattern):
        parts.append(re.escape(pattern[position : match.start()]))
        parts.append(f"(?P<{match.group(1)}>[^/]+)")
        position = match.end()
    parts.append(re.escape(pattern[position:]))
    return re.compile("".join(parts) + r"\Z")


@dataclass(frozen=True)
class Match:
    route: Route
    params: Mapping[str, str]


class Router:
    """Routes by method and path; the first added route that matches wins."""

    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._page_fallback: Handler | None = None

    def add(
        self, method: str, path: str, handler: Handler, *, auth: AuthRequirement = None
    ) -> None:
        """Add a route. `auth`: None (anyone), "parent" (a parent session) or "child"
        (the tray token). Page routes (outside /api/) cannot require auth."""
        if auth not in (None, "parent", "child"):
            raise ValueError(f"auth must be None, 'parent' or 'child', not {auth!r}")
        if auth is not None and not is_api_path(path):
            raise ValueError(f"only /api/ routes can require auth: {path!r}")
        self._routes.append(Route(method.upper(), path, handler, auth, _compile(path)))

    def set_page_fallback(self, handler: Handler) -> None:
        """The handler for every path outside /api/ that no page route matches, any Host."""
        self._page_fallback = handler

    @property
    def page_fallback(self) -> Handler | None:
        return self._page_fallback

    def match(self, method: str, path: str) -> Match | None:
        """The route for this method and path; ApiError 405 when only the method differs."""
        allowed: list[str] = []
        for route in self._routes:
            found = route.regex.match(path)
            if found is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                params = {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
                return Match(route, params)
            allowed.append(route.method)
        if allowed:
            raise ApiError(
                405,
                "method_not_allowed",
                f"{method} is not allowed here; use {', '.join(sorted(set(allowed)))}",
                headers={"Allow": ", ".join(sorted(set(allowed)))},
            )
        return None
