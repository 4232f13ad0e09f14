"""Hostile JSON bodies are a 400 in the API's error shape, every time, over real HTTP, and
leave no traceback in the log: depth, huge numbers, duplicate keys, invalid UTF-8, NaN and
Infinity, lone surrogates, a body that is not the object the endpoint expects."""

from __future__ import annotations

import http.client
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers_api import RunningApi, running_api

from agent.api.http import MAX_JSON_DEPTH, ApiError, parse_json

HOSTILE_BODIES: dict[str, bytes] = {
    "nested 20,000 deep": b"[" * 20_000 + b"]" * 20_000,
    "objects nested 10,000 deep": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "nested just past the limit": b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    "a 60,000-digit integer": b'{"pin": ' + b"7" * 60_000 + b"}",
    "a 60,000-digit fraction": b'{"pin": 0.' + b"7" * 60_000 + b"}",
    "a float out of range": b'{"pin": 1e400}',
    "duplicate keys": b'{"pin": "1234", "pin": "9999"}',
    "invalid UTF-8": b'{"pin": "\xff\xfe"}',
    "a lone surrogate": b'{"pin": "\\ud800"}',
    "NaN": b'{"pin": NaN}',
    "Infinity": b'{"pin": Infinity}',
    "-Infinity": b'{"pin": -Infinity}',
    "a bare string": b'"1234"',
    "a list": b'["1234"]',
    "null": b"null",
    "a number": b"1234",
    "truncated": b'{"pin": "12',
}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RunningApi]:
    with running_api(tmp_path) as running:
        yield running


def _post(api: RunningApi, path: str, body: bytes) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_a_hostile_body_is_a_400_with_the_error_shape_and_no_traceback(
    api: RunningApi, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body = HOSTILE_BODIES[name]
    assert len(body) <= api.server.max_body_bytes  # the parser is reached, not the size limit
    for path in ("/api/session", "/api/pin"):
        status, content_type, answer = _post(api, path, body)
        assert status == 400, (name, path, answer[:200])
        assert content_type.startswith("application/json")
        error = json.loads(answer)
        assert error["error"] in ("bad_json", "bad_request")
        assert isinstance(error["message"], str) and len(error["message"]) < 300
    assert not api.auth.pins.is_set()
    assert not [record for record in caplog.records if record.exc_info]
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    # and the listener goes on
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=5)
    connection.request("GET", "/api/health")
    assert connection.getresponse().status == 200
    connection.close()


def test_ordinary_json_still_parses() -> None:
    value = parse_json(b'{"a": [1, 2.5, -3e2, true, null, "h\\u1ecdc"], "b": {"c": {}}}')
    assert value == {"a": [1, 2.5, -300.0, True, None, "học"], "b": {"c": {}}}
    deepest = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert parse_json(deepest) is not None
    assert parse_json(b'{"minutes": 12345678901234567890}') == {"minutes": 12345678901234567890}


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_parse_json_refuses_with_an_api_error_only(name: str) -> None:
    body = HOSTILE_BODIES[name]
    try:
        value = parse_json(body)
    except ApiError as error:
        assert error.status == 400 and error.code == "bad_json"
    else:
        # well-formed JSON that is not an object: the endpoint's json_object() refuses it
        assert not isinstance(value, dict)
