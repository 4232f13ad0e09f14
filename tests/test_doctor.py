"""`baoan doctor`: against a real agent on random loopback ports, with the PC's facts and
the OS integration handed in; each problem made on purpose is found and comes with its fix
in both languages, and a PC where all is well exits 0."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers_ntfy import NtfyStandIn
from helpers_policy_agent import PARENT_PIN, RunningFamily, family_text, set_first_pin
from helpers_ports import free_ports
from test_upstreams_standin import ZONE_TEXT, StandInDns, Zone

from agent.api.types import EventInfo, ListInfo
from agent.commands import doctor
from agent.doctor import checks
from agent.doctor.probe import SystemProbe, host_and_port, is_tray_command
from agent.doctor.report import EXIT_ALL_WELL, EXIT_PROBLEMS, EXIT_UNCHECKED, Outcome
from agent.runtime import Agent, AgentSettings
from agent.system import Finding
from baoan.cli import build_parser
from dns_filter.clock import SystemClock

HANOI = timedelta(hours=7)  # Asia/Ho_Chi_Minh, the family's zone


@dataclass
class FakePc:
    sessions: list[str] = field(default_factory=lambda: ["an", "dad"])
    trays: list[str] = field(default_factory=lambda: ["an"])
    offset: timedelta = HANOI
    free: int = 50 * 2**30
    total: int = 200 * 2**30

    def session_accounts(self) -> Sequence[str] | None:
        return self.sessions

    def tray_accounts(self) -> Sequence[str] | None:
        return self.trays

    def disk_usage(self, path: Path) -> tuple[int, int] | None:
        return self.free, self.total

    def utc_offset(self) -> timedelta | None:
        return self.offset

    def connect(self, host: str, port: int) -> str | None:
        return SystemProbe().connect(host, port)  # the caregivers' servers, for real


@dataclass
class FakeIntegration:
    dns: Finding = field(default_factory=lambda: Finding("dns", True, "2 adapter(s)"))
    browsers: list[Finding] = field(default_factory=lambda: [
        Finding("browser-policy:chrome", True, "in place"),
        Finding("browser-policy:firefox", True, "in place"),
    ])
    firewall: Finding = field(default_factory=lambda: Finding("firewall", True, "loaded"))
    asked: list[tuple[str, ...]] = field(default_factory=list)

    def firewall_in_place(self) -> Finding:
        return self.firewall

    def point_dns_at_agent(self, agent_addresses: tuple[str, ...]) -> None: ...

    def restore_dns(self) -> None: ...

    def dns_points_at_agent(self, agent_addresses: tuple[str, ...]) -> Finding:
        self.asked.append(agent_addresses)
        return self.dns

    def install_browser_policies(self) -> None: ...

    def remove_browser_policies(self) -> None: ...

    def browser_policies_in_place(self) -> list[Finding]:
        return self.browsers

    def install_firewall(self, child_accounts: tuple[str, ...]) -> None: ...

    def remove_firewall(self) -> None: ...


@contextmanager
def protected_family(tmp_path: Path, ntfy_url: str) -> Iterator[RunningFamily]:
    """A real agent whose lists are one local file (downloaded now) and whose caregiver
    hears through `ntfy_url`."""
    from dnslib import RR

    from agent.policy.categories import categories

    upstream = StandInDns(Zone(RR.fromZone(ZONE_TEXT))).start()
    (tmp_path / "lists").mkdir(parents=True)
    (tmp_path / "lists" / "adult.txt").write_text("adult.example\n", encoding="utf-8")
    adult = (tmp_path / "lists" / "adult.txt").as_posix()
    lists = "\n".join(
        f'{category} = ["{adult}"]' if category == "adult" else f"{category} = []"
        for category in categories()
    )
    config = tmp_path / "family.toml"
    config.write_text(
        family_text(upstream.udp_url)
        + f'\n[[caregivers]]\nname = "Bà ngoại"\nntfy_topic = "baoan-doctor"\n'
        f'ntfy_server = "{ntfy_url}"\n\n[settings.lists]\n{lists}\n',
        encoding="utf-8",
    )
    agent = Agent(
        AgentSettings(config_path=config, data_dir=tmp_path / "data",
                      dns_listen=(("127.0.0.1", 0),), http_listen=("127.0.0.1", 0),
                      refresh_lists_at_start=False, policy_poll_seconds=0.2),
        session_user=lambda: "an",
        clock=SystemClock(),
    )
    agent.start()
    try:
        agent.refresh_lists()
        yield RunningFamily(agent, config)
    finally:
        agent.stop()
        upstream.close()


def run_doctor(family: RunningFamily, pc: FakePc, integration: FakeIntegration,
               *, pin: str | None = PARENT_PIN) -> tuple[int, dict[str, object]]:
    argv = ["doctor", "--api", family.url, "--config", str(family.config),
            "--data-dir", str(family.agent.settings.data_dir), "--json"]
    if pin is not None:
        argv.append("--pin-stdin")
    out = io.StringIO()
    code = doctor.run(build_parser().parse_args(argv), io.StringIO(f"{pin}\n"), out,
                      integration=integration, probe=pc, platform_name="linux")
    return code, json.loads(out.getvalue())


def by_key(report: dict[str, object]) -> dict[str, dict[str, object]]:
    items = report["checks"]
    assert isinstance(items, list)
    return {item["key"]: item for item in items}


@pytest.fixture
def ntfy() -> Iterator[NtfyStandIn]:
    standin = NtfyStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()


def test_a_protected_pc_is_all_well(tmp_path: Path, ntfy: NtfyStandIn) -> None:
    with protected_family(tmp_path, ntfy.url) as family:
        set_first_pin(family)
        integration = FakeIntegration()
        code, report = run_doctor(family, FakePc(), integration)
    checks_found = by_key(report)
    assert code == EXIT_ALL_WELL, [c for c in checks_found.values() if not c["ok"]]
    assert report["all_well"] is True and report["problems"] == 0
    assert {"service", "dns", "browser-policy:chrome", "browser-policy:firefox", "tray:An",
            "timezone", "lists", "caregiver:Bà ngoại", "disk"} <= set(checks_found)
    assert integration.asked == [("127.0.0.1",)]  # where the agent listens


def test_problems_made_on_purpose_are_found_with_their_fix(tmp_path: Path) -> None:
    (closed,) = free_ports(1)  # the caregiver's server is down
    with protected_family(tmp_path, f"http://127.0.0.1:{closed}") as family:
        set_first_pin(family)
        # The tray is killed: no process in the child's session, and the agent says so.
        assert family.agent.store is not None
        family.agent.store.events.add("tray-missing", "no heartbeat", child="An",
                                      severity="alert")
        # The list's file is gone: the next refresh fails (the last good copy stays).
        (tmp_path / "lists" / "adult.txt").unlink()
        family.agent.refresh_lists()
        pc = FakePc(trays=[], offset=timedelta(0))
        integration = FakeIntegration(
            dns=Finding("dns", False, "Wi-Fi (IPv4) asks 8.8.8.8"),
            browsers=[Finding("browser-policy:firefox", False,
                              "missing or changed: DNSOverHTTPS")],
            firewall=Finding("firewall", False, "the pf anchor com.apple/250.BaoAn has no rules"),
        )
        code, report = run_doctor(family, pc, integration)
    assert code == EXIT_PROBLEMS and report["all_well"] is False
    found = by_key(report)
    problems = {key for key, item in found.items() if item["outcome"] == "problem"}
    assert problems == {"dns", "firewall", "browser-policy:firefox", "tray:An", "timezone",
                        "lists", "caregiver:Bà ngoại"}
    firewall = found["firewall"]
    assert isinstance(firewall["fix"], dict)
    assert "sudo baoan system install-firewall" in firewall["fix"]["en"]

    tray = found["tray:An"]
    assert isinstance(tray["fix"], dict) and isinstance(tray["seen"], dict)
    assert "baoan tray" in tray["fix"]["en"] and "Đăng xuất" in tray["fix"]["vi"]
    assert "(an)" in tray["seen"]["en"]
    lists = found["lists"]
    assert isinstance(lists["fix"], dict) and isinstance(lists["seen"], dict)
    assert "sudo baoan lists update" in lists["fix"]["en"]
    assert "tải lại" in lists["fix"]["vi"] and "adult" in lists["seen"]["en"]
    dns = found["dns"]
    assert isinstance(dns["fix"], dict) and isinstance(dns["seen"], dict)
    assert "baoan system install-dns" in dns["fix"]["vi"] and "8.8.8.8" in dns["seen"]["en"]
    zone = found["timezone"]
    assert isinstance(zone["fix"], dict)
    assert "timedatectl set-timezone Asia/Ho_Chi_Minh" in zone["fix"]["en"]
    caregiver = found["caregiver:Bà ngoại"]
    assert isinstance(caregiver["fix"], dict)
    assert "baoan sync test" in caregiver["fix"]["en"]


def test_the_text_report_gives_each_fix_in_both_languages(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    with protected_family(tmp_path, ntfy.url) as family:
        argv = ["doctor", "--api", family.url, "--config", str(family.config),
                "--data-dir", str(family.agent.settings.data_dir)]
        out = io.StringIO()
        code = doctor.run(build_parser().parse_args(argv), io.StringIO(), out,
                          integration=FakeIntegration(), probe=FakePc(trays=[]),
                          platform_name="win32")
    text = out.getvalue()
    assert code == EXIT_PROBLEMS
    assert "✘ tray:An" in text
    assert "Cách sửa: Đăng xuất" in text and "Fix: Log the child's account out" in text
    assert "Có 1 vấn đề cần sửa. / 1 problem(s) to fix." in text


def test_an_agent_that_does_not_answer_is_the_first_problem(tmp_path: Path) -> None:
    (port,) = free_ports(1)
    argv = ["doctor", "--api", f"http://127.0.0.1:{port}", "--config",
            str(tmp_path / "none.toml"), "--data-dir", str(tmp_path), "--json"]
    out = io.StringIO()
    code = doctor.run(build_parser().parse_args(argv), io.StringIO(), out,
                      integration=None, probe=FakePc(), platform_name="win32")
    report = json.loads(out.getvalue())
    assert code == EXIT_PROBLEMS
    service = by_key(report)["service"]
    assert service["outcome"] == "problem"
    assert isinstance(service["fix"], dict) and "sc.exe start BaoAnAgent" in service["fix"]["en"]
    assert by_key(report)["policy-file"]["outcome"] == "unknown"


def test_without_the_os_integration_the_doctor_says_it_could_not_check(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    with protected_family(tmp_path, ntfy.url) as family:
        argv = ["doctor", "--api", family.url, "--config", str(family.config),
                "--data-dir", str(family.agent.settings.data_dir), "--json"]
        out = io.StringIO()
        code = doctor.run(build_parser().parse_args(argv), io.StringIO(), out,
                          integration=None, probe=FakePc(), platform_name="plan9")
    report = json.loads(out.getvalue())
    assert code == EXIT_UNCHECKED
    assert by_key(report)["dns"]["outcome"] == "unknown"


# -- the judgements alone -----------------------------------------------------------------

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_a_list_not_downloaded_for_days_is_stale() -> None:
    fresh = ListInfo("adult", "https://lists.example/a", 10, NOW - timedelta(hours=20))
    old = ListInfo("gambling", "https://lists.example/g", 10, NOW - timedelta(days=9))
    starter = ListInfo("adult", "starter", 29, None)
    assert checks.check_lists([fresh, starter], NOW, "linux").outcome is Outcome.OK
    stale = checks.check_lists([fresh, old], NOW, "darwin")
    assert stale.outcome is Outcome.PROBLEM
    assert "gambling (9d)" in stale.seen_en and "sudo baoan lists update" in stale.fix_en


def test_the_time_zone_is_compared_by_its_offset_now() -> None:
    assert checks.check_timezone("Asia/Ho_Chi_Minh", HANOI, NOW, "linux").outcome is Outcome.OK
    wrong = checks.check_timezone("Asia/Ho_Chi_Minh", timedelta(hours=-8), NOW, "win32")
    assert wrong.outcome is Outcome.PROBLEM and "UTC-8" in wrong.seen_en
    assert "Time zone: Asia/Ho_Chi_Minh" in wrong.fix_en


def test_low_disk_and_no_caregiver_are_problems() -> None:
    assert checks.check_disk(100 * 2**20, 100 * 2**30, "/var/lib/baoan").outcome is Outcome.PROBLEM
    assert checks.check_disk(50 * 2**30, 100 * 2**30, "/var/lib/baoan").outcome is Outcome.OK
    (none,) = checks.check_caregivers([], unheard=False)
    assert none.outcome is Outcome.PROBLEM and "người thân" in none.fix_vi


def test_the_agents_own_tray_events_count_the_newest_one() -> None:
    missing = EventInfo(1, NOW - timedelta(minutes=5), "tray-missing", "alert", "", "Minh")
    back = EventInfo(2, NOW, "tray-back", "info", "", "Minh")
    accounts = {"Minh": ("minh",)}
    (silent,) = checks.check_trays(accounts, ["minh"], ["minh"], [missing])
    assert silent.outcome is Outcome.PROBLEM
    (fine,) = checks.check_trays(accounts, ["minh"], ["minh"], [missing, back])
    assert fine.outcome is Outcome.OK
    (away,) = checks.check_trays(accounts, ["dad"], [], None)
    assert away.outcome is Outcome.OK and "no session" in away.seen_en
    (blind,) = checks.check_trays(accounts, None, None, None)
    assert blind.outcome is Outcome.UNKNOWN


def test_tray_processes_and_servers_are_recognised() -> None:
    assert is_tray_command(["/usr/bin/python3", "-m", "baoan", "tray"])
    assert is_tray_command(["/opt/baoan/bin/baoan", "tray", "--api", "http://x"])
    assert is_tray_command(["C:\\Program Files\\BaoAn\\baoan-tray.exe"])
    assert not is_tray_command(["/opt/baoan/bin/baoan", "agent"])
    assert not is_tray_command(["/usr/bin/tray"])
    assert host_and_port("https://ntfy.sh", 443) == ("ntfy.sh", 443)
    assert host_and_port("http://127.0.0.1:8080", 443) == ("127.0.0.1", 8080)
    assert host_and_port("smtp.example:587", 25) == ("smtp.example", 587)


def test_a_channel_refused_for_good_is_a_problem() -> None:
    from agent.api.types import CaregiverInfo, CaregiversInfo, ChannelInfo

    info = CaregiversInfo("family-pc", (
        CaregiverInfo("Bà ngoại", channels=(
            ChannelInfo("ntfy:baoan-x", "ntfy", "https://ntfy.sh/baoan-x",
                        last_error="403 forbidden", refused_for_good=True),
            ChannelInfo("email:ba@example.org", "email", "ba@example.org",
                        last_delivered=NOW),
        )),
    ))
    (problem,) = checks.check_delivery(info)
    assert problem.key == "delivery:Bà ngoại:ntfy" and problem.outcome is Outcome.PROBLEM
    assert "403 forbidden" in problem.seen_en and "baoan sync test" in problem.fix_en
    assert checks.check_delivery(None) == []


def test_the_linux_integration_finds_the_dns_and_policies_and_its_fix_clears_them(
    tmp_path: Path, ntfy: NtfyStandIn
) -> None:
    """The doctor on Linux, through the real integration under a throwaway root: what it
    finds out of place is what `baoan system install` puts right."""
    from helpers_runner import RecordingRunner

    from agent.system.linux import LinuxIntegration
    from agent.system.runner import CommandResult

    def no_services(argv: tuple[str, ...], _input: str | None) -> CommandResult | None:
        return CommandResult(argv, 3, "inactive\n") if argv[:2] == ("systemctl", "is-active") \
            else None

    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "resolv.conf").write_text("nameserver 192.0.2.1\n", encoding="utf-8")
    linux = LinuxIntegration(RecordingRunner(no_services), root, state_dir=tmp_path / "state",
                             manage_services=False)
    with protected_family(tmp_path / "family", ntfy.url) as family:
        set_first_pin(family)
        code, report = run_doctor(family, FakePc(), linux)  # type: ignore[arg-type]
        found = by_key(report)
        assert code == EXIT_PROBLEMS
        assert found["dns"]["outcome"] == "problem"
        assert "192.0.2.1" in found["dns"]["seen"]["en"]  # type: ignore[index]
        assert any(key.startswith("browser-policy:") and item["outcome"] == "problem"
                   for key, item in found.items())


        linux.point_dns_at_agent(("127.0.0.1",))  # what `baoan system install` does
        linux.install_browser_policies()
        code, report = run_doctor(family, FakePc(), linux)  # type: ignore[arg-type]
    assert code == EXIT_ALL_WELL, [c for c in by_key(report).values() if not c["ok"]]
