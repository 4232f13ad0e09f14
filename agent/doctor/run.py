"""One examination of the PC: the agent's answer, the OS integration's findings and the
PC's own facts, judged by `agent.doctor.checks` into a `Report`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agent.api.client import (
    AgentNotRunningError,
    ApiClient,
    ApiClientError,
    LockedError,
    PinNotSetError,
    WrongPinError,
)
from agent.api.types import CaregiversInfo, EventInfo, Status
from agent.doctor import checks
from agent.doctor.probe import PcProbe, host_and_port
from agent.doctor.report import Check, Outcome, Report
from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy
from agent.policy.model import FamilyPolicy
from agent.system import SystemIntegration
from agent.system.findings import Finding
from agent.system.runner import CommandFailedError

logger = logging.getLogger(__name__)

DEFAULT_AGENT_ADDRESSES = ("127.0.0.1", "::1")
EVENTS_LOOKED_AT = 200


@dataclass(frozen=True)
class DoctorInputs:
    api_url: str
    pin: str | None
    config: Path
    data_dir: Path
    platform_name: str


@dataclass(frozen=True)
class AgentAnswer:
    status: Status | None
    events: tuple[EventInfo, ...] | None  # None without a PIN (or when refused)
    error: str = ""
    pin_problem: str = ""
    caregivers: CaregiversInfo | None = None  # with the PIN, from an agent that says


def ask_the_agent(api_url: str, pin: str | None) -> AgentAnswer:
    with ApiClient(api_url) as client:
        try:
            status = client.status()
        except AgentNotRunningError:
            return AgentAnswer(None, None, f"nothing answers at {api_url}")
        except ApiClientError as error:
            return AgentAnswer(None, None, str(error))
        if pin is None:
            return AgentAnswer(status, None)
        try:
            client.open_session(pin)
            try:
                status = client.status()
                events = tuple(client.events(EVENTS_LOOKED_AT))
                try:
                    caregivers: CaregiversInfo | None = client.caregivers()
                except ApiClientError:  # an agent without /api/caregivers
                    caregivers = None
                return AgentAnswer(status, events, caregivers=caregivers)
            finally:
                client.close_session()
        except (WrongPinError, LockedError, PinNotSetError) as error:
            return AgentAnswer(status, None, pin_problem=type(error).__name__)
        except ApiClientError as error:
            return AgentAnswer(status, None, pin_problem=str(error))


def agent_dns_addresses(status: Status | None) -> tuple[str, ...]:
    """The loopback addresses the agent answers DNS on (what the system should ask)."""
    if status is None:
        return DEFAULT_AGENT_ADDRESSES
    hosts: list[str] = []
    for url in status.dns_listening:
        if not url.startswith("udp://"):
            continue
        host = url.removeprefix("udp://").rsplit(":", 1)[0].strip("[]")
        if host not in hosts:
            hosts.append(host)
    loopback = [host for host in hosts if host == "::1" or host.startswith("127.")]
    return tuple(loopback or hosts) or DEFAULT_AGENT_ADDRESSES


def read_policy(config: Path) -> FamilyPolicy | None:
    try:
        return load_policy(config)
    except InvalidPolicyError as error:
        logger.info("the doctor cannot read %s: %s", config, error)
        return None


def caregiver_reaches(policy: FamilyPolicy, probe: PcProbe) -> list[checks.CaregiverReach]:
    reaches = []
    for caregiver in policy.caregivers:
        if caregiver.ntfy_topic:
            host, port = host_and_port(caregiver.ntfy_server, 443)
            error = probe.connect(host, port)
            reaches.append(checks.CaregiverReach(
                caregiver.name, f"ntfy {caregiver.ntfy_server}", error is None, error or ""))
        if caregiver.email:
            if caregiver.smtp:
                host, port = host_and_port(caregiver.smtp, 587)
                error = probe.connect(host, port)
                reaches.append(checks.CaregiverReach(
                    caregiver.name, f"mail {caregiver.smtp}", error is None, error or ""))
            else:
                reaches.append(checks.CaregiverReach(caregiver.name, "mail", None))
        if caregiver.apprise:
            reaches.append(checks.CaregiverReach(caregiver.name, "apprise", None))
    return reaches


def _guarded_dns(integration: SystemIntegration, addresses: tuple[str, ...]) -> Finding | str:
    try:
        return integration.dns_points_at_agent(addresses)
    except (CommandFailedError, OSError, ValueError) as error:
        return str(error)


def _guarded_firewall(integration: SystemIntegration) -> Finding | str:
    try:
        return integration.firewall_in_place()
    except (CommandFailedError, OSError, ValueError) as error:
        return str(error)


def _guarded_browsers(integration: SystemIntegration) -> Sequence[Finding] | str:
    try:
        return integration.browser_policies_in_place()
    except (CommandFailedError, OSError, ValueError) as error:
        return str(error)


def _not_looked_at(key: str, error: str) -> Check:
    return Check(key, Outcome.UNKNOWN, f"Chưa kiểm tra được ({error}).",
                 f"Could not be checked ({error}).")


def examine(
    inputs: DoctorInputs,
    integration: SystemIntegration | None,
    probe: PcProbe,
    now: datetime,
    answer: AgentAnswer | None = None,
) -> Report:
    answer = answer or ask_the_agent(inputs.api_url, inputs.pin)
    status = answer.status
    policy = read_policy(inputs.config)
    found: list[Check] = [checks.check_service(status is not None, answer.error,
                                               inputs.platform_name)]
    if policy is None:
        found.append(Check(
            "policy-file", Outcome.UNKNOWN,
            f"Không đọc được {inputs.config}: hãy chạy với quyền quản trị, hoặc chỉ rõ --config.",
            f"{inputs.config} cannot be read: run as root / Administrator, or give --config.",
        ))
    if answer.pin_problem:
        found.append(Check("pin", Outcome.UNKNOWN,
                           "Mã PIN không được chấp nhận: phần cần PIN chưa kiểm tra được.",
                           f"The PIN was refused ({answer.pin_problem}): what needs it was "
                           "not checked."))

    if integration is None:
        found.append(checks.check_dns(None, inputs.platform_name))
        found.extend(checks.check_browsers(None, inputs.platform_name))
    else:
        dns = _guarded_dns(integration, agent_dns_addresses(status))
        found.append(_not_looked_at("dns", dns) if isinstance(dns, str)
                     else checks.check_dns(dns, inputs.platform_name))
        firewall = _guarded_firewall(integration)
        found.append(_not_looked_at("firewall", firewall) if isinstance(firewall, str)
                     else checks.check_firewall(firewall, inputs.platform_name))
        browsers = _guarded_browsers(integration)
        if isinstance(browsers, str):
            found.append(_not_looked_at("browser-policy", browsers))
        else:
            found.extend(checks.check_browsers(browsers, inputs.platform_name))

    accounts: dict[str, tuple[str, ...]] = {}
    if policy is not None:
        accounts = {child.name: tuple(child.os_users) for child in policy.children}
    elif status is not None and status.children is not None:
        accounts = {child.name: child.os_users for child in status.children}
    found.extend(checks.check_trays(accounts, probe.session_accounts(), probe.tray_accounts(),
                                    answer.events))

    zone = status.timezone if status is not None and status.timezone else (
        policy.settings.timezone if policy is not None else None)
    found.append(checks.check_timezone(zone, probe.utc_offset(), now, inputs.platform_name))

    if status is not None:
        found.append(checks.check_lists(status.lists, now, inputs.platform_name))
    unheard = bool(status is not None and status.policy.help_alerts_unheard)
    reaches = caregiver_reaches(policy, probe) if policy is not None else None
    found.extend(checks.check_caregivers(reaches, unheard))
    found.extend(checks.check_delivery(answer.caregivers))

    usage = probe.disk_usage(inputs.data_dir)
    found.append(checks.check_disk(usage[0] if usage else None, usage[1] if usage else None,
                                   str(inputs.data_dir)))
    return Report(tuple(found))
