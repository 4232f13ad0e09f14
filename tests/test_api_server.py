"""The HTTP listener itself, over real HTTP on a random loopback port: the Host check
against DNS rebinding, the page fallback for any Host, limits, routing, start and stop."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers_api import TEST_VERSION, RunningApi, running_api

from agent.api.http import Request, Response, Router, html_response
from agent.api.server import HostCheck, split_host


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RunningApi]:
    with running_api(tmp_path, allowed_hosts=("baoan.home",)) as running:
        yield running


def _http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback only, never a proxy
    return session


def _get(api: RunningApi, path: str, **kwargs: Any) -> requests.Response:
    with _http() as session:
        return session.get(api.url + path, timeout=5, **kwargs)


def _raw(
    api: RunningApi, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """A request with exactly these headers (no Host added by the library)."""
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=5)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_health_answers_with_the_version_and_nothing_personal(api: RunningApi) -> None:
    response = _get(api, "/api/health")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json() == {"status": "ok", "version": TEST_VERSION}
    for personal in ("Minh", "Lan", "family.toml", "hostsVN"):
        assert personal not in response.text


@pytest.mark.parametrize(
    "host_template",
    [
        "127.0.0.1:{port}",
        "localhost:{port}",
        "LOCALHOST",
        "localhost.",
        "[::1]:{port}",
        "[::1]",
        "127.0.0.1",
        "baoan.home:{port}",
    ],
)
def test_loopback_hosts_with_or_without_the_port_are_allowed(
    api: RunningApi, host_template: str
) -> None:
    status, _, body = _raw(api, "GET", "/api/health", {"Host": host_template.format(port=api.port)})
    assert status == 200, body


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.nip.io:{port}",
        "localhost:1",
        "localhost.evil.example",
        "[::2]:{port}",
        "::1",
        "",
        "127.0.0.1:abc",
    ],
)
def test_a_foreign_host_is_refused_on_the_api(api: RunningApi, host: str) -> None:
    status, headers, body = _raw(api, "GET", "/api/status", {"Host": host.format(port=api.port)})
    assert status == 403
    assert headers["content-type"].startswith("application/json")
    assert b'"error":"host_not_allowed"' in body
    assert b"Minh" not in body and b"hostsVN" not in body


def test_a_missing_host_is_refused_on_the_api(api: RunningApi) -> None:
    status, _, body = _raw(api, "GET", "/api/health", {})
    assert status == 403 and b"host_not_allowed" in body


def test_a_foreign_host_is_refused_even_with_a_valid_parent_token(api: RunningApi) -> None:
    api.auth.set_first_pin("1234")
    token = api.auth.login("1234").token
    status, _, body = _raw(
        api,
        "GET",
        "/api/children",
        {"Host": "rebound.example", "Authorization": f"Bearer {token}"},
    )
    assert status == 403 and b"host_not_allowed" in body


def test_pages_answer_any_host_through_the_fallback(api: RunningApi) -> None:
    seen: list[Request] = []

    def block_page(request: Request) -> Response:
        seen.append(request)
        return html_response(f"<p>Bị chặn: {request.headers.get('host')}</p>")

    api.server.router.set_page_fallback(block_page)
    status, headers, body = _raw(api, "GET", "/some/page?x=1", {"Host": "casino.example"})
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert body.decode("utf-8") == "<p>Bị chặn: casino.example</p>"
    assert seen[0].path == "/some/page" and seen[0].query_value("x") == "1"
    assert seen[0].role is None

    # The API under the same foreign Host is still refused.
    status, _, _ = _raw(api, "GET", "/api/health", {"Host": "casino.example"})
    assert status == 403


def test_page_routes_with_parameters_come_before_the_fallback(api: RunningApi) -> None:
    api.server.router.add("GET", "/blocked/{name}", lambda r: html_response(r.path_params["name"]))
    api.server.router.set_page_fallback(lambda r: html_response("fallback"))
    status, _, body = _raw(api, "GET", "/blocked/xn--bo-an-9ua.vn", {"Host": "any.example"})
    assert (status, body) == (200, b"xn--bo-an-9ua.vn")
    status, _, body = _raw(api, "GET", "/blocked/a/b", {"Host": "any.example"})
    assert (status, body) == (200, b"fallback")


def test_without_a_fallback_an_unknown_page_is_a_404_page(api: RunningApi) -> None:
    status, headers, body = _raw(api, "GET", "/nothing-here", {"Host": "x.example"})
    assert status == 404
    assert headers["content-type"].startswith("text/html")
    assert "Không tìm thấy trang".encode() in body


def test_page_forms_can_post_urlencoded_bodies(api: RunningApi) -> None:
    api.server.router.add(
        "POST", "/ask", lambda r: html_response(f"lý do: {r.form().get('reason', '')}")
    )
    body = b"reason=h%E1%BB%8Dc+b%C3%A0i"
    status, _, answer = _raw(
        api,
        "POST",
        "/ask",
        {
            "Host": "blocked.example",
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body)),
        },
        body,
    )
    assert status == 200 and answer.decode("utf-8") == "lý do: học bài"


def test_an_unknown_api_path_and_a_wrong_method(api: RunningApi) -> None:
    response = _get(api, "/api/nope")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    with _http() as session:
        response = session.put(api.url + "/api/health", json={}, timeout=5)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET"


def test_head_is_answered_like_get_without_a_body(api: RunningApi) -> None:
    with _http() as session:
        response = session.head(api.url + "/api/health", timeout=5)
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) > 0
    assert response.content == b""


def test_a_body_over_the_limit_is_refused_unread(api: RunningApi) -> None:
    status, headers, body = _raw(
        api,
        "POST",
        "/api/session",
        {
            "Host": "127.0.0.1",
            "Content-Type": "application/json",
            "Content-Length": str(api.server.max_body_bytes + 1),
        },
    )
    assert status == 413 and b"too_large" in body
    assert headers.get("connection") == "close"


def test_chunked_bodies_and_bad_lengths_are_refused(api: RunningApi) -> None:
    status, _, body = _raw(
        api,
        "POST",
        "/api/session",
        {"Host": "127.0.0.1", "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        b"5\r\nhello\r\n0\r\n\r\n",
    )
    assert status == 411 and b"length_required" in body
    status, _, body = _raw(
        api, "POST", "/api/session", {"Host": "127.0.0.1", "Content-Length": "-5"}
    )
    assert status == 400


def test_api_bodies_must_be_json(api: RunningApi) -> None:
    with _http() as session:
        response = session.post(api.url + "/api/pin", data={"pin": "1234"}, timeout=5)
        assert response.status_code == 415
        assert response.json()["error"] == "unsupported_media_type"
        response = session.post(
            api.url + "/api/pin",
            data=b"{not json",
            headers={"Content-Type": "application/json"},
            timeout=5,
        )
        assert response.status_code == 400 and response.json()["error"] == "bad_json"
        response = session.post(api.url + "/api/pin", json=["1234"], timeout=5)
        assert response.status_code == 400 and "JSON object" in response.json()["message"]
    assert not api.auth.pins.is_set()


def test_a_cross_site_origin_is_refused(api: RunningApi) -> None:
    with _http() as session:
        response = session.post(
            api.url + "/api/pin",
            json={"pin": "1234"},
            headers={"Origin": "http://evil.example"},
            timeout=5,
        )
        assert response.status_code == 403 and response.json()["error"] == "origin_not_allowed"
        response = session.post(
            api.url + "/api/pin", json={"pin": "1234"}, headers={"Origin": "null"}, timeout=5
        )
        assert response.status_code == 403
        assert not api.auth.pins.is_set()
        response = session.post(
            api.url + "/api/pin",
            json={"pin": "1234", "setup_code": api.setup_code()},
            headers={"Origin": f"http://localhost:{api.port}"},
            timeout=5,
        )
        assert response.status_code == 201
    assert api.auth.pins.is_set()


def test_a_failing_handler_is_a_500_and_the_server_keeps_serving(api: RunningApi) -> None:
    def broken(request: Request) -> object:
        raise RuntimeError("secret detail 1234")

    api.server.router.add("GET", "/api/broken", broken)
    response = _get(api, "/api/broken")
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"
    assert "secret detail" not in response.text
    assert _get(api, "/api/health").status_code == 200


def test_keep_alive_connections_are_reused(api: RunningApi) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=5)
    try:
        sockets = []
        for _ in range(3):
            connection.request("GET", "/api/health")
            response = connection.getresponse()
            assert response.status == 200 and response.read()
            sockets.append(connection.sock)  # None if the server had closed it
        assert sockets[0] is not None and sockets == [sockets[0]] * 3
    finally:
        connection.close()


def test_stop_ends_kept_alive_connections(tmp_path: Path) -> None:
    with running_api(tmp_path) as running:
        connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
        connection.request("GET", "/api/health")
        assert connection.getresponse().read()
    try:
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            connection.request("GET", "/api/health")
            connection.getresponse()
    finally:
        connection.close()


def test_start_on_port_zero_reports_the_port_and_stop_frees_it(tmp_path: Path) -> None:
    with running_api(tmp_path) as running:
        host, port = running.server.address
        assert host == "127.0.0.1" and port > 0
        assert running.url == f"http://127.0.0.1:{port}"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    assert not running.server.running


def test_ipv6_loopback_listener(tmp_path: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    from helpers_api import CLOCK_START, StaticServices, make_authenticator

    from agent.api.app import create_server
    from dns_filter.clock import ManualClock

    server = create_server(
        StaticServices(), make_authenticator(tmp_path, ManualClock(CLOCK_START)), host="::1", port=0
    )
    try:
        server.start()
    except OSError:
        pytest.skip("::1 cannot be bound here")
    try:
        assert server.base_url.startswith("http://[::1]:")
        with _http() as session:
            response = session.get(server.base_url + "/api/health", timeout=5)
        assert response.status_code == 200
    finally:
        server.stop()


def test_router_refuses_auth_on_pages_and_unknown_roles() -> None:
    router = Router()
    with pytest.raises(ValueError, match="only /api/"):
        router.add("GET", "/page", lambda r: {}, auth="parent")
    with pytest.raises(ValueError, match="auth must be"):
        router.add("GET", "/api/x", lambda r: {}, auth="admin")  # type: ignore[arg-type]


def test_split_host_and_host_check() -> None:
    assert split_host("LocalHost:8053") == ("localhost", 8053)
    assert split_host("[::1]:80") == ("::1", 80)
    assert split_host("[::1]") == ("::1", None)
    assert split_host("::1") is None
    assert split_host("host:99999") is None
    check = HostCheck(["localhost", "127.0.0.1", "::1"], 8053)
    assert check.allows_host("localhost:8053")
    assert not check.allows_host("localhost:8054")
    assert check.allows_origin("http://127.0.0.1:8053")
    assert not check.allows_origin("http://127.0.0.1.evil.example")
