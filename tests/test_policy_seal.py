"""The check line of Bảo An's own writes: a cut-off or damaged copy is refused as half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.policy.errors import InvalidPolicyError
from agent.policy.loader import load_policy, parse_policy
from agent.policy.seal import check_seal, seal, strip_seal
from agent.policy.template import render_initial_policy
from agent.policy.writer import write_policy_text

TEXT = render_initial_policy("An", 9, ["an"], ["udp://127.0.0.2:5301"])


def test_a_sealed_text_checks_and_the_seal_is_replaced_not_stacked() -> None:
    sealed = seal(TEXT)
    assert sealed.startswith("# baoan: length=") and sealed.endswith(TEXT)
    assert check_seal(sealed, file="f") is True
    assert check_seal(TEXT, file="f") is False  # no check line: a hand-written file
    assert seal(sealed) == sealed
    assert strip_seal(sealed) == TEXT
    assert parse_policy(sealed) == parse_policy(TEXT)


def test_the_writer_seals_what_it_writes(tmp_path: Path) -> None:
    path = tmp_path / "family.toml"
    write_policy_text(path, seal(TEXT.replace("age = 9", "age = 8")))  # an old line goes
    written = path.read_text(encoding="utf-8")
    assert written.count("# baoan: length=") == 1
    assert check_seal(written, file=str(path)) is True
    assert load_policy(path).children[0].age == 8


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.99])
def test_a_cut_off_copy_is_half_written_with_the_line_and_what_to_do(cut: float) -> None:
    sealed = seal(TEXT)
    with pytest.raises(InvalidPolicyError) as caught:
        parse_policy(sealed[: int(len(sealed) * cut)], file="family.toml")
    (error,) = caught.value.errors
    assert error.line == 1
    assert str(error).startswith("family.toml:1: the file does not match its check line (only ")
    assert "half-written" in str(error) and "delete line 1" in str(error)


def test_a_check_line_cut_off_itself_is_half_written() -> None:
    with pytest.raises(InvalidPolicyError, match="check line Bảo An wrote is incomplete"):
        parse_policy(seal(TEXT)[:30])


def test_a_hand_edit_that_kept_the_check_line_is_refused_until_the_line_goes() -> None:
    edited = seal(TEXT).replace("age = 9", "age = 8")
    with pytest.raises(InvalidPolicyError, match="content is not what Bảo An wrote"):
        parse_policy(edited)
    longer = seal(TEXT) + "# a note\n"
    with pytest.raises(InvalidPolicyError, match="bytes are there where Bảo An wrote"):
        parse_policy(longer)
    assert parse_policy(strip_seal(edited)).children[0].age == 8
