"""`baoan lists add / update / show` end to end, with a real family.toml and a loopback
HTTP server standing in for the list publishers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agent.policy import load_policy
from agent.policy.categories import categories as all_categories
from baoan.cli import main


@pytest.fixture
def shared_server(blocklists_dir: Path) -> Iterator[str]:
    """The shared blocklists served over HTTP on loopback (ETag-less, plain files)."""

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(blocklists_dir), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "family.toml"
    assert main(["init", "--config", str(path), "--child", "An", "--age", "9"]) == 0
    return path


def test_add_url_and_local_file_keeps_the_defaults(
    config: Path, blocklists_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = blocklists_dir / "ut1" / "games.domains"
    assert main(["lists", "add", "games", str(local), "--config", str(config)]) == 0
    url = "https://example.org/lists/gambling.txt"
    assert main(["lists", "add", "gambling", url, "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "33715" in out  # the local file was checked before it was added
    lists = load_policy(config).settings.lists
    assert lists["games"][-1] == str(local.resolve())
    assert lists["gambling"][-1] == url
    # The category's default sources stay; the new one comes after them.
    defaults = all_categories()["gambling"].default_sources
    assert lists["gambling"] == (*defaults, url)
    # Adding it again changes nothing.
    before = config.read_text(encoding="utf-8")
    assert main(["lists", "add", "gambling", url, "--config", str(config)]) == 0
    assert config.read_text(encoding="utf-8") == before


def test_add_refuses_bad_input_and_changes_nothing(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = config.read_text(encoding="utf-8")
    assert (
        main(["lists", "add", "no-such-category", "https://x.example/l", "--config", str(config)])
        == 1
    )
    assert (
        main(["lists", "add", "adult", str(tmp_path / "missing.txt"), "--config", str(config)]) == 1
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing but comments\n1.2.3.4\n")
    assert main(["lists", "add", "adult", str(empty), "--config", str(config)]) == 1
    assert main(["lists", "add", "adult", "ftp://x.example/l", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "no-such-category" in err and "missing.txt" in err and "ftp://" in err
    assert config.read_text(encoding="utf-8") == before


def _only_sources(config: Path, sources: dict[str, list[str]]) -> None:
    """Point every category at the given sources (others: none) through the real writer."""
    import tomlkit

    from agent.policy.categories import categories
    from agent.policy.writer import write_policy_text

    document = tomlkit.parse(config.read_text(encoding="utf-8"))
    table = tomlkit.table()
    for category in categories():
        table[category] = sources.get(category, [])
    document["settings"]["lists"] = table
    write_policy_text(config, tomlkit.dumps(document))


def test_update_and_show_end_to_end(
    config: Path, tmp_path: Path, shared_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"
    adult = f"{shared_server}/hostsvn/adult-filter.txt"
    broken = f"{shared_server}/no/such/list.txt"
    _only_sources(
        config, {"adult": [adult, broken], "gambling": [f"{shared_server}/ut1/gambling.domains"]}
    )

    code = main(["lists", "update", "--config", str(config), "--data-dir", str(data_dir)])
    out = capsys.readouterr().out
    assert code == 1  # one source failed
    assert "đang tải" in out
    assert "22492 tên, 3 dòng lỗi" in out
    assert "dòng 2228" in out
    assert "HTTP 404" in out
    assert "32233 tên" in out

    code = main(["lists", "show", "--config", str(config), "--data-dir", str(data_dir), "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert code == 0
    by_category = {item["category"]: item for item in shown["categories"]}
    adult_sources = {s["source"]: s for s in by_category["adult"]["sources"]}
    assert adult_sources[adult]["count"] == 22492
    assert adult_sources[adult]["bad_lines"] == 3
    assert adult_sources[adult]["updated_at"]
    assert adult_sources[adult]["error"] is None
    assert "404" in adult_sources[broken]["error"]
    assert by_category["adult"]["starter_count"] > 10
    assert by_category["scam"]["sources"] == []

    assert main(["lists", "show", "--config", str(config), "--data-dir", str(data_dir)]) == 0
    text = capsys.readouterr().out
    assert "adult: 22492 tên tải về" in text
    assert "lỗi gần nhất" in text

    # The publisher goes down: the next update fails but the lists stay.
    _only_sources(config, {"adult": [f"{shared_server}/gone/adult.txt"]})
    assert main(["lists", "update", "--config", str(config), "--data-dir", str(data_dir)]) == 1
    assert "chưa có bản nào" in capsys.readouterr().out


def test_commands_report_a_broken_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "family.toml"
    broken.write_text("[settings\n", encoding="utf-8")
    assert main(["lists", "show", "--config", str(broken), "--data-dir", str(tmp_path)]) == 1
    assert main(["lists", "update", "--config", str(broken), "--data-dir", str(tmp_path)]) == 1
    assert "family.toml" in capsys.readouterr().err


def test_add_waits_for_another_writer_and_keeps_its_edit(config: Path, tmp_path: Path) -> None:
    """Another process (the agent's policy API) edits family.toml while holding the
    policy folder's lock; `lists add` waits for it and adds to its edit, never over it."""
    import os
    import subprocess
    import sys
    import textwrap

    other_writer = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from agent.policy.folder_lock import policy_folder_lock
        from agent.policy.writer import write_policy_text
        config = Path(sys.argv[1])
        with policy_folder_lock(config):
            text = config.read_text(encoding="utf-8")
            print("held", flush=True)
            time.sleep(1.5)
            write_policy_text(config, "# edited by the dashboard\\n" + text)
        """
    )
    other = subprocess.Popen(
        [sys.executable, "-c", other_writer, str(config)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        url = "https://lists.example/extra.txt"
        assert main(["lists", "add", "gambling", url, "--config", str(config)]) == 0
    finally:
        assert other.wait(timeout=30) == 0
    text = config.read_text(encoding="utf-8")
    assert "# edited by the dashboard" in text and url in text
    assert url in load_policy(config).settings.lists["gambling"]
