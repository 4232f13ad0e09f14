"""A Syncthing conflict copy beside family.toml is never the policy, and tells the parents
once, naming the PC."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers_policy_files import init_file

from agent.policy.loader import load_policy
from agent.store import Store
from agent.sync_conflicts import EVENT_SYNC_CONFLICT, SyncConflictWatch

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_a_conflict_copy_is_one_alert_and_never_the_policy(tmp_path: Path) -> None:
    config = init_file(tmp_path)
    before = load_policy(config)
    copy = tmp_path / "family.sync-conflict-20260601-120000-ABCDEFG.toml"
    copy.write_text(config.read_text(encoding="utf-8").replace("age = 10", "age = 17"),
                    encoding="utf-8")
    (tmp_path / "other.sync-conflict-20260601-120000-ABCDEFG.toml").write_text("x = 1\n")
    with Store(tmp_path / "baoan.sqlite3") as store:
        watch = SyncConflictWatch(config, store, lambda: T0, "PC-phong-khach")
        assert watch() == [copy]
        assert watch() == []  # told once
        [event] = store.events.recent(kind=EVENT_SYNC_CONFLICT)
        assert event.severity == "alert"
        [alert] = [item for item in store.outbox.for_event(event.id)]
        assert "PC-phong-khach" in alert.payload["message"]
    assert load_policy(config) == before  # family.toml stays the policy
