"""Put the API together: a router with every endpoint behind the loopback listener."""

from __future__ import annotations

from collections.abc import Iterable

from agent.api.endpoints import ApiEndpoints
from agent.api.http import Router
from agent.api.server import DEFAULT_HOST, DEFAULT_PORT, HttpLimits, HttpServer
from agent.api.services import AgentServices
from agent.auth import Authenticator
from agent.version import version as installed_version


def build_router(
    services: AgentServices, authenticator: Authenticator, *, version: str | None = None
) -> Router:
    router = Router()
    ApiEndpoints(services, authenticator, version or installed_version()).register(router)
    return router


def create_server(
    services: AgentServices,
    authenticator: Authenticator,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    allowed_hosts: Iterable[str] = (),
    version: str | None = None,
    limits: HttpLimits | None = None,
) -> HttpServer:
    """The listener with every /api/ endpoint. Add page routes or a page fallback on
    ``server.router`` before or after ``start()``; then ``start()``, ``stop()``."""
    router = build_router(services, authenticator, version=version)
    return HttpServer(
        router, authenticator, host=host, port=port, allowed_hosts=allowed_hosts, limits=limits
    )
