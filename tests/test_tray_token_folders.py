"""Each agent its own tray token folder: two agents side by side (the installed service and
`sudo baoan try`, say) never remove each other's token files, and the tray finds the token
of the agent it talks to.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
from pathlib import Path

import pytest
from test_upstreams_standin import StandInDns

from agent.policy.template import render_initial_policy
from agent.runtime import Agent, AgentSettings
from agent.tray.handover import hand_over_tray_token, instance_name, token_dir_for
from agent.tray.identity import TrayUserKeys
from gui.tray.http_backend import (
    DEFAULT_API_URL,
    HttpTrayBackend,
    default_token_file,
    load_credentials,
)

needs_root = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0,
    reason="an agent hands a token file to another account only as root",
)


def account(name: str) -> str:
    try:
        pwd.getpwnam(name)
    except KeyError:
        pytest.skip(f"this PC has no account {name!r} to play a child")
    return name


def family_agent(folder: Path, child: str, os_user: str, upstream: StandInDns) -> Agent:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "family.toml"
    config.write_text(
        render_initial_policy(child, 9, [os_user], [upstream.udp_url]), encoding="utf-8"
    )
    return Agent(
        AgentSettings(
            config_path=config,
            data_dir=folder / "data",
            dns_listen=(("127.0.0.1", 0),),
            http_listen=("127.0.0.1", 0),
            refresh_lists_at_start=False,
        ),
        session_user=lambda: None,
    )


@needs_root
def test_two_agents_side_by_side_leave_each_other_s_token_files(
    tmp_path: Path, upstream: StandInDns
) -> None:
    """The installed service's family (An, account `daemon`) and a second agent's (Binh,
    account `nobody`) with their own data folders, as root both."""
    installed = family_agent(tmp_path / "installed", "An", account("daemon"), upstream)
    second = family_agent(tmp_path / "second", "Binh", account("nobody"), upstream)
    an_file = token_dir_for(installed.settings.data_dir) / "daemon.json"
    binh_file = token_dir_for(second.settings.data_dir) / "nobody.json"
    made = {an_file.parent, binh_file.parent}
    try:
        installed.start()
        try:
            assert an_file.is_file()
            second.start()
            assert binh_file.is_file()
            assert an_file.is_file(), "the second agent's start removed the family's token"
            second.stop()
            assert an_file.is_file(), "the second agent's stop removed the family's token"
            second = family_agent(tmp_path / "second", "Binh", "nobody", upstream)
            second.start()
        finally:
            installed.stop()
        try:
            assert binh_file.is_file(), "the first agent's stop removed the other's token"
            assert json.loads(binh_file.read_text(encoding="utf-8"))["user"] == "nobody"
            assert an_file.parent != binh_file.parent
        finally:
            second.stop()
    finally:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)


@needs_root
def test_the_tray_finds_the_token_of_the_agent_it_talks_to(
    tmp_path: Path, upstream: StandInDns
) -> None:
    """Both families name the account `nobody`; its tray finds each agent's own file by
    the address it talks to, and each token opens that agent's door only."""
    child = account("nobody")
    first = family_agent(tmp_path / "first", "An", child, upstream)
    second = family_agent(tmp_path / "second", "Binh", child, upstream)
    folders = [token_dir_for(agent.settings.data_dir) for agent in (first, second)]
    try:
        first.start()
        second.start()
        for agent, name in ((first, "An"), (second, "Binh")):
            path = default_token_file(child, api_url=agent.http_url())
            assert path == token_dir_for(agent.settings.data_dir) / f"{child}.json"
            credentials = load_credentials(path)
            backend = HttpTrayBackend(agent.http_url(), credentials)
            try:
                assert backend.profile().child == name
            finally:
                backend.close()
    finally:
        second.stop()
        first.stop()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def test_each_data_folder_names_its_own_token_folder(tmp_path: Path) -> None:
    root = tmp_path / "run"
    one, other = tmp_path / "a" / "data", tmp_path / "b" / "data"
    assert instance_name(one) != instance_name(other)
    assert instance_name(one) == instance_name(tmp_path / "a" / ".." / "a" / "data")
    assert instance_name(one).startswith("data-")
    assert instance_name(Path("/var/lib/baoan")).startswith("baoan-")
    if os.name == "posix" and os.geteuid() == 0:
        assert token_dir_for(one, root) == root / instance_name(one)
    else:
        assert token_dir_for(one, root) == one / "tray"
    assert token_dir_for(one, root) != token_dir_for(other, root)


@pytest.mark.skipif(os.name != "posix", reason="POSIX token files")
def test_an_agent_removes_only_the_files_it_made(tmp_path: Path) -> None:
    """In a folder shared with another agent (the one folder of older versions), a
    hand-over removes its own stale files and leaves every other one in place."""
    me = pwd.getpwuid(os.geteuid()).pw_name
    shared = tmp_path / "tray"
    shared.mkdir()
    theirs = shared / "lan.json"
    theirs.write_text(json.dumps({"token": "t", "user": "lan", "agent": "other-1"}))
    unmarked = shared / "minh.json"  # an older agent's, with no mark
    unmarked.write_text(json.dumps({"token": "t", "user": "minh"}))
    keys = TrayUserKeys("k" * 32)
    hand_over_tray_token("t1", keys, [me], shared, agent="mine-1")
    assert (shared / f"{me}.json").is_file()
    # The family changed: this agent's own file for `me` goes, nobody else's does.
    result = hand_over_tray_token("t1", keys, [], shared, agent="mine-1")
    assert result.removed == (shared / f"{me}.json",)
    assert theirs.is_file() and unmarked.is_file()


def test_the_tray_picks_its_agent_among_several_folders(tmp_path: Path) -> None:
    def token(folder: str, url: str) -> Path:
        path = tmp_path / folder / "minh.json"
        path.parent.mkdir()
        path.write_text(
            json.dumps({"token": "t", "user": "minh", "user_key": "k", "api_url": url})
        )
        return path

    installed = token("baoan-1111111111", DEFAULT_API_URL)
    trying = token("try-2222222222", "http://127.0.0.1:8054")
    os.utime(installed, (1, 1))  # the older file: the default address wins, not the age
    (tmp_path / "empty-3333333333").mkdir()  # an agent with no file for minh
    assert default_token_file("minh", "http://127.0.0.1:8054/", tmp_path) == trying
    assert default_token_file("minh", DEFAULT_API_URL, tmp_path) == installed
    assert default_token_file("minh", None, tmp_path) == installed
    # An address no agent's file names finds nothing, rather than another agent's token.
    missing = default_token_file("minh", "http://127.0.0.1:9", tmp_path)
    assert not missing.exists()
    assert default_token_file("lan", None, tmp_path) == tmp_path / "*" / "lan.json"
    # Only one agent, at another address (a try-out run alone): its file.
    installed.unlink()
    assert default_token_file("minh", None, tmp_path) == trying
