"""`baoan init` and `baoan policy validate`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agent.policy.compile import resolve_child
from agent.policy.loader import load_policy
from agent.policy.writer import backup_path
from baoan.cli import main

REPO = Path(__file__).resolve().parents[1]


def test_init_writes_a_valid_commented_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "family.toml"
    code = main(
        [
            "init", "--config", str(path), "--child", "Minh An", "--age", "9",
            "--os-user", "minhan", "--upstream", "udp://127.0.0.2:5301",
            "--upstream", "tcp://127.0.0.2:5301",
        ]
    )  # fmt: skip
    assert code == 0
    assert "tieu-hoc" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    # commented in both languages
    assert "# Các con: mỗi con một khối [[children]]. / Children: one [[children]]" in text
    policy = load_policy(path)
    (child,) = policy.children
    assert (child.name, child.age, child.os_users) == ("Minh An", 9, ("minhan",))
    assert [u.url for u in policy.settings.upstreams] == [
        "udp://127.0.0.2:5301",
        "tcp://127.0.0.2:5301",
    ]
    assert policy.pc_default_child() == "Minh An"


@pytest.mark.parametrize(("age", "preset"), [(3, "mam-non"), (12, "thcs"), (16, "thpt")])
def test_init_puts_the_child_on_the_preset_for_the_age(
    tmp_path: Path, age: int, preset: str
) -> None:
    path = tmp_path / "family.toml"
    assert main(["init", "--config", str(path), "--child", "Bé", "--age", str(age)]) == 0
    (child,) = load_policy(path).children
    assert resolve_child(child).preset.preset_id == preset


def test_init_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "family.toml"
    assert main(["init", "--config", str(path), "--child", "An", "--age", "9"]) == 0
    before = path.read_bytes()
    assert main(["init", "--config", str(path), "--child", "Bình", "--age", "12"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_bytes() == before

    assert main(["init", "--config", str(path), "--child", "Bình", "--age", "12", "--force"]) == 0
    assert load_policy(path).children[0].name == "Bình"
    assert load_policy(backup_path(path)).children[0].name == "An"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--age", "18"], "--age: expected a whole number from 0 to 17, got 18"),
        (["--age", "9", "--upstream", "udp://dns.google"], "udp and tcp need an IP address"),
        (["--age", "9", "--child", " "], "--child: expected the child's name"),
    ],
)
def test_init_refuses_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    path = tmp_path / "family.toml"
    assert main(["init", "--config", str(path), "--child", "An", *args]) == 1
    assert message in capsys.readouterr().err
    assert not path.exists()


def test_validate_summarises_a_good_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "validate", str(REPO / "docs" / "family.example.toml")]) == 0
    out = capsys.readouterr().out
    assert "hợp lệ / valid" in out and "Minh An" in out and "tieu-hoc" in out


def test_validate_prints_every_error_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    path.write_text(
        'schema_version = 1\n[[children]]\nname = "An"\nage = "ten"\nfavourite = 1\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "baoan", "policy", "validate", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f'{path}:4: children[0].age: expected a whole number from 0 to 17, got "ten"'
    assert lines[1].startswith(f'{path}:5: children[0].favourite: unknown key "favourite"')
    assert "2 errors" in lines[2]


def test_validate_reports_toml_syntax_errors_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "family.toml"
    path.write_text('schema_version = 1\n\n[[children]\nname = "An"\n', encoding="utf-8")
    assert main(["policy", "validate", str(path)]) == 1
    assert capsys.readouterr().err.startswith(f"{path}:3: TOML syntax error:")
