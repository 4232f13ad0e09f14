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
import math
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agent.auth import Role

API_PREFIX = "/api/"
SERVER_NAME = "BaoAn"  # the Server header of every answer

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

    def int_query(self, name: str, default: int, low: int, high: int) -> int:
        """A whole-number query parameter from `low` to `high` (`default` when absent);
        ApiError 400 otherwise. Only ASCII digits count: `str.isdigit` also accepts "²",
        which `int` then refuses."""
        text = self.query_value(name)
        if text is None or text == "":
            return default
        if not (text.isascii() and text.isdigit() and len(text) <= 9 and low <= int(text) <= high):
            raise ApiError(
                400, "bad_request", f"{name!r} must be a whole number from {low} to {high}"
            )
        return int(text)

    def json(self) -> JsonValue:
        """The body as JSON; ApiError 400/415 when it is not (see :func:`parse_json`)."""
        content_type = self.headers.get("content-type", "")
        if not self.body:
            raise ApiError(400, "bad_request", "the request needs a JSON body")
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise ApiError(415, "unsupported_media_type", "the body must be application/json")
        return parse_json(self.body)

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

# Far deeper than any body the API takes, far shallower than the interpreter's stack.
MAX_JSON_DEPTH = 32
# Digits and signs of one number literal: ids, minutes and limits need a handful.
MAX_JSON_NUMBER_CHARS = 40


class _BadJsonError(ValueError):
    """A body that parses but is refused: what the message says."""


def _bounded_number_text(text: str) -> None:
    if len(text) > MAX_JSON_NUMBER_CHARS:
        raise _BadJsonError(f"a number has {len(text)} characters; at most {MAX_JSON_NUMBER_CHARS}")


def _parse_int(text: str) -> int:
    _bounded_number_text(text)
    return int(text)


def _parse_float(text: str) -> float:
    _bounded_number_text(text)
    value = float(text)
    if not math.isfinite(value):
        raise _BadJsonError(f"the number {text} is out of range")
    return value


def _refuse_constant(name: str) -> object:
    raise _BadJsonError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, JsonValue]]) -> dict[str, JsonValue]:
    value: dict[str, JsonValue] = {}
    for key, item in pairs:
        if key in value:
            raise _BadJsonError(f"the key {key[:40]!r} appears twice")
        value[key] = item
    return value


def _check_shape(value: JsonValue) -> None:
    """Depth at most MAX_JSON_DEPTH, and every string encodable as UTF-8 (a lone surrogate
    such as "\\ud800" parses, but fails later in the store or in an answer)."""
    stack: list[tuple[JsonValue, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")  # UnicodeEncodeError for a lone surrogate
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise _BadJsonError(f"nested deeper than {MAX_JSON_DEPTH} levels")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def parse_json(body: bytes) -> JsonValue:
    """Strict JSON from a request body, or ApiError 400 ``bad_json``: invalid UTF-8, a
    syntax error, NaN or Infinity, a number literal longer than MAX_JSON_NUMBER_CHARS or
    out of a float's range, a key twice in one object, nesting deeper than MAX_JSON_DEPTH,
    a lone surrogate. Nothing a client sends here can be a 500."""
    try:
        value = json.loads(
            body.decode("utf-8"),
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_keys,
        )
        _check_shape(value)
    except RecursionError:
        # The parser recurses per level: far too deep to even finish parsing.
        raise ApiError(
            400, "bad_json", f"the body is not valid JSON: nested deeper than {MAX_JSON_DEPTH}"
        ) from None
    except (UnicodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise ApiError(400, "bad_json", f"the body is not valid JSON: {exc}") from None
    return value


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
