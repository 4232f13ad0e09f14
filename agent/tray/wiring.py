"""The tray's service and its token hand-over, put together for the agent's runtime."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from agent.auth import load_or_create_tray_token
from agent.policy.model import FamilyPolicy
from agent.secrets import SecretStore
from agent.tray.handover import (
    child_os_users,
    hand_over_tray_token,
    instance_name,
    token_dir_for,
)
from agent.tray.identity import load_tray_user_keys
from agent.tray.service import QueryLogSource, TrayAccess, TrayService
from dns_filter.clock import Clock

log = logging.getLogger(__name__)


class FamilyPolicySource(Protocol):
    """The family policy in force, and word of each new one (``PolicyHolder`` has both)."""

    @property
    def policy(self) -> FamilyPolicy: ...

    def subscribe(self, callback: Callable[[FamilyPolicy], None]) -> Callable[[], None]: ...


def connect_tray(
    *,
    query_log: QueryLogSource,
    family: FamilyPolicySource,
    access: TrayAccess,
    secret_store: SecretStore,
    api_url: Callable[[], str],
    data_dir: Path,
    local_addresses: Callable[[], frozenset[str]],
    token_dir: Path | None = None,
    extra_os_users: Sequence[str] = (),
    clock: Clock | None = None,
) -> TrayService:
    """The tray's service, with the tray token handed to every child's OS account now and
    again on each new family.toml, in this agent's own folder (`token_dir`, by default
    :func:`agent.tray.handover.token_dir_for` its data folder). Call once the HTTP
    listener is up (the files name its address); hand-over failures are logged, never
    raised: the agent keeps running. The service's routes are added by
    :func:`agent.api.tray_routes.register_tray_routes`."""
    keys = load_tray_user_keys(secret_store)
    service = TrayService(
        query_log,
        lambda: family.policy,
        keys,
        access=access,
        local_addresses=local_addresses,
        clock=clock,
    )
    tray_token = load_or_create_tray_token(secret_store)
    directory = token_dir or token_dir_for(data_dir)
    agent = instance_name(data_dir)  # the mark on each file: only those are ever removed

    def hand_over(policy: FamilyPolicy) -> None:
        try:
            hand_over_tray_token(
                tray_token,
                keys,
                [*child_os_users(policy), *extra_os_users],
                directory,
                api_url=api_url(),
                agent=agent,
            )
        except Exception:
            log.exception("the tray token could not be handed over in %s", directory)

    hand_over(family.policy)
    family.subscribe(hand_over)
    return service
