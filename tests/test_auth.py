"""The parent PIN (scrypt, lockout, persistence), parent sessions and the tray token."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from helpers_api import CLOCK_START, FAST_SCRYPT

from agent.auth import (
    DEFAULT_SCRYPT,
    PIN_SECRET_NAME,
    TRAY_TOKEN_SECRET_NAME,
    Authenticator,
    InvalidPinError,
    LockedOutError,
    LockoutPolicy,
    PinAlreadySetError,
    PinManager,
    PinNotSetError,
    Role,
    SessionManager,
    WrongPinError,
    check_pin_format,
)
from agent.secrets import SECRETS_FILE_NAME, SecretStore, open_secret_store
from dns_filter.clock import ManualClock


def _pins(store: SecretStore, clock: ManualClock, **kwargs: object) -> PinManager:
    return PinManager(store, clock=clock, params=FAST_SCRYPT, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> SecretStore:
    return open_secret_store(tmp_path)


def _wrong(pins: PinManager, times: int) -> list[Exception]:
    seen: list[Exception] = []
    for _ in range(times):
        with pytest.raises((WrongPinError, LockedOutError)) as caught:
            pins.verify("0000")
        seen.append(caught.value)
    return seen


def test_pin_is_stored_only_as_a_salted_scrypt_hash(store: SecretStore, tmp_path: Path) -> None:
    pins = PinManager(store, clock=ManualClock(CLOCK_START))  # the real default parameters
    pins.set_first("482913")
    pins.verify("482913")

    file_text = (tmp_path / SECRETS_FILE_NAME).read_text(encoding="utf-8")
    assert "482913" not in file_text
    record = json.loads(store.get(PIN_SECRET_NAME) or "")
    assert (record["scheme"], record["n"], record["r"], record["p"]) == ("scrypt", 2**15, 8, 1)
    salt = base64.b64decode(record["salt"])
    assert len(salt) == 16
    expected = hashlib.scrypt(
        b"482913", salt=salt, n=2**15, r=8, p=1, dklen=32, maxmem=DEFAULT_SCRYPT.maxmem
    )
    assert base64.b64decode(record["hash"]) == expected

    # The same PIN set elsewhere gets another salt, hence another hash.
    other = PinManager(
        open_secret_store(tmp_path / "other"), clock=ManualClock(CLOCK_START), params=FAST_SCRYPT
    )
    other.set_first("482913")
    other_record = json.loads(other._store.get(PIN_SECRET_NAME) or "")
    assert other_record["salt"] != record["salt"]


@pytest.mark.parametrize(
    ("pin", "why"),
    [
        ("123", "4 to 12 digits"),
        ("1234567890123", "4 to 12 digits"),
        ("12a4", "digits only"),
        ("١٢٣٤", "digits only"),
        (1234, "string"),
    ],
)
def test_pin_format_is_checked(pin: object, why: str) -> None:
    with pytest.raises(InvalidPinError, match=why):
        check_pin_format(pin)


def test_first_pin_only_once_and_change_needs_the_old_one(store: SecretStore) -> None:
    clock = ManualClock(CLOCK_START)
    pins = _pins(store, clock)
    assert not pins.is_set()
    with pytest.raises(PinNotSetError):
        pins.verify("1234")
    pins.set_first("1234")
    assert pins.is_set()
    with pytest.raises(PinAlreadySetError):
        pins.set_first("5678")
    with pytest.raises(WrongPinError):
        pins.change("9999", "5678")
    pins.change("1234", "5678")
    with pytest.raises(WrongPinError):
        pins.verify("1234")
    pins.verify("5678")


def test_five_wrong_in_a_row_lock_and_the_right_pin_is_not_even_checked(
    store: SecretStore,
) -> None:
    clock = ManualClock(CLOCK_START)
    lockouts: list[float] = []
    pins = _pins(store, clock, on_lockout=lockouts.append)
    pins.set_first("1234")

    seen = _wrong(pins, 5)
    assert [e.tries_left for e in seen[:4] if isinstance(e, WrongPinError)] == [4, 3, 2, 1]
    assert isinstance(seen[4], LockedOutError) and seen[4].retry_after == 30
    assert lockouts == [30]

    clock.advance(10)
    with pytest.raises(LockedOutError) as caught:
        pins.verify("1234")  # the right PIN, still refused while locked
    assert caught.value.retry_after == 20
    assert pins.retry_after() == 20

    clock.advance(20)
    pins.verify("1234")  # lock over: the right PIN works and clears the count
    assert _wrong(pins, 1)[0].tries_left == 4  # type: ignore[attr-defined]


def test_back_off_doubles_on_each_further_wrong_pin_up_to_the_cap(store: SecretStore) -> None:
    clock = ManualClock(CLOCK_START)
    pins = _pins(store, clock, lockout=LockoutPolicy(max_tries=5, base_seconds=30, max_seconds=200))
    pins.set_first("1234")
    _wrong(pins, 5)
    durations = []
    for _ in range(4):
        clock.advance(pins.retry_after())
        error = _wrong(pins, 1)[0]
        assert isinstance(error, LockedOutError)
        durations.append(error.retry_after)
    assert durations == [60, 120, 200, 200]


def test_one_at_a_time_so_parallel_guesses_cannot_race_the_count(store: SecretStore) -> None:
    clock = ManualClock(CLOCK_START)
    pins = _pins(store, clock)
    pins.set_first("1234")
    outcomes: list[str] = []

    def guess() -> None:
        try:
            pins.verify("0000")
        except WrongPinError:
            outcomes.append("wrong")
        except LockedOutError:
            outcomes.append("locked")

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("wrong") == 4
    assert outcomes.count("locked") == 8


def test_lockout_survives_a_restart(tmp_path: Path) -> None:
    clock = ManualClock(CLOCK_START)
    pins = _pins(open_secret_store(tmp_path), clock)
    pins.set_first("1234")
    _wrong(pins, 3)

    restarted = _pins(open_secret_store(tmp_path), clock)  # a new process, same data dir
    seen = _wrong(restarted, 2)
    assert isinstance(seen[0], WrongPinError) and seen[0].tries_left == 1
    assert isinstance(seen[1], LockedOutError)

    clock.advance(5)
    again = _pins(open_secret_store(tmp_path), clock)
    with pytest.raises(LockedOutError) as caught:
        again.verify("1234")
    assert caught.value.retry_after == 25


def test_moving_the_clock_forward_does_not_end_a_lockout_early(store: SecretStore) -> None:
    clock = ManualClock(CLOCK_START)
    pins = _pins(store, clock)
    pins.set_first("1234")
    _wrong(pins, 5)
    clock.set(clock.now() + timedelta(days=1))  # someone sets the PC's clock a day ahead
    with pytest.raises(LockedOutError) as caught:
        pins.verify("1234")
    assert caught.value.retry_after == 30


def test_sessions_expire_when_idle_and_at_their_maximum_age() -> None:
    clock = ManualClock(CLOCK_START)
    sessions = SessionManager(clock=clock, idle_seconds=60, max_age_seconds=150)
    session = sessions.open()
    assert session.token not in repr(session)
    assert session.expires_at == clock.now() + timedelta(seconds=60)
    assert len(session.token) >= 40

    clock.advance(50)
    assert sessions.touch(session.token) is not None  # use restarts the idle timer
    clock.advance(50)
    touched = sessions.touch(session.token)
    assert touched is not None
    # 100 s old, 50 s left of its 150 s life: the end is the max age, not the idle limit.
    assert touched.expires_at == clock.now() + timedelta(seconds=50)
    clock.advance(50)
    assert sessions.touch(session.token) is None  # 150 s old: over

    idle = sessions.open()
    clock.advance(60)
    assert sessions.touch(idle.token) is None
    assert len(sessions) == 0


def test_sessions_are_random_closable_and_bounded() -> None:
    clock = ManualClock(CLOCK_START)
    sessions = SessionManager(clock=clock, max_sessions=3)
    tokens = [sessions.open().token for _ in range(4)]
    assert len(set(tokens)) == 4
    assert sessions.touch(tokens[0]) is None  # the oldest made room for the fourth
    assert sessions.close(tokens[1]) is True
    assert sessions.touch(tokens[1]) is None
    sessions.close_all(keep_token=tokens[3])
    assert sessions.touch(tokens[2]) is None
    assert sessions.touch(tokens[3]) is not None
    assert tokens[3] not in repr(sessions.__dict__)  # only digests are kept


def test_tray_token_is_made_once_kept_and_gives_the_child_role(tmp_path: Path) -> None:
    clock = ManualClock(CLOCK_START)
    auth = Authenticator.create(open_secret_store(tmp_path), clock=clock, scrypt=FAST_SCRYPT)
    token = open_secret_store(tmp_path).get(TRAY_TOKEN_SECRET_NAME)
    assert token is not None and len(token) >= 40
    assert auth.role_for(token) is Role.CHILD
    assert auth.role_for(token + "x") is None

    restarted = Authenticator.create(open_secret_store(tmp_path), clock=clock, scrypt=FAST_SCRYPT)
    assert restarted.role_for(token) is Role.CHILD

    restarted.set_first_pin("2468")
    parent = restarted.login("2468")
    assert restarted.role_for(parent.token) is Role.PARENT
    assert auth.role_for(parent.token) is None  # sessions live in one agent's memory
    restarted.logout(parent.token)
    assert restarted.role_for(parent.token) is None
