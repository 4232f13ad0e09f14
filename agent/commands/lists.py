"""`baoan lists`: add a list source, refresh the lists, show what is loaded.

baoan lists add CATEGORY SOURCE --config FILE
baoan lists update --config FILE [--data-dir DIR]
baoan lists show --config FILE [--data-dir DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from agent.lists_service import (
    CategorySummary,
    default_data_dir,
    read_list_sources,
    refresh_lists,
    summarise,
)
from dns_filter.lists import ListSource, RefreshOutcome, RefreshStatus, is_url, scan_file


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lists", help="blocklists: add a source, update, show / danh sách chặn"
    )
    commands = parser.add_subparsers(dest="lists_command", metavar="ACTION")

    add = commands.add_parser("add", help="add a list source (URL or file) to a category")
    add.add_argument("category", help="category id, e.g. adult, gambling, games")
    add.add_argument("source", help="an http(s) URL or a local file path")
    add.add_argument("--config", required=True, type=Path, help="family.toml")
    add.set_defaults(func=run_add)

    update = commands.add_parser("update", help="download and refresh every list now")
    update.add_argument("--config", required=True, type=Path, help="family.toml")
    update.add_argument("--data-dir", type=Path, help="the agent's data folder")
    update.set_defaults(func=run_update)

    show = commands.add_parser("show", help="each category, its sources and their state")
    show.add_argument("--config", required=True, type=Path, help="family.toml")
    show.add_argument("--data-dir", type=Path, help="the agent's data folder")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(func=run_show)

    parser.set_defaults(func=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _fail(message: str) -> int:
    print(f"Lỗi / error: {message}", file=sys.stderr)
    return 1


# --- add ----------------------------------------------------------------------------------


def run_add(args: argparse.Namespace) -> int:
    from agent.policy.categories import categories
    from agent.policy.folder_lock import PolicyLockTimeoutError, policy_folder_lock

    config: Path = args.config
    category: str = args.category.strip()
    known = categories()
    if category not in known:
        return _fail(f"không có nhóm {category!r}; các nhóm: {', '.join(sorted(known))}")
    source: str = args.source.strip()
    if not is_url(source):
        if "://" in source:
            return _fail(f"{source}: chỉ nhận URL http(s) hoặc đường dẫn tệp")
        path = Path(source).expanduser().resolve()
        if not path.is_file():
            return _fail(f"không tìm thấy tệp {path}")
        report = scan_file(path)
        if report.rule_count == 0:
            return _fail(f"{path}: không có dòng hợp lệ nào ({report.bad_count} dòng lỗi)")
        print(f"{path}: {report.rule_count} tên ({report.format}), {report.bad_count} dòng lỗi")
        source = str(path)
    # From the read to the write: the agent's policy API (another process) waits, so
    # neither edit is lost.
    try:
        with policy_folder_lock(config):
            outcome = _add_source(config, category, source)
    except PolicyLockTimeoutError as exc:
        return _fail(str(exc))
    if outcome is not None:
        return outcome
    print(f"Đã thêm vào nhóm {category} / added: {source}")
    print("Chạy / run: baoan lists update --config " + str(config))
    return 0


def _add_source(config: Path, category: str, source: str) -> int | None:
    """Add `source` to `category` in the file; an exit code when there is nothing more."""
    import tomlkit

    from agent.policy.errors import InvalidPolicyError
    from agent.policy.writer import write_policy_text

    try:
        current = read_list_sources(config)
        text = config.read_text(encoding="utf-8")
    except InvalidPolicyError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"không đọc được {config}: {exc}")
    existing = list(current.get(category, ()))
    if source in existing:
        print(f"Nhóm {category} đã có nguồn này / already there: {source}")
        return 0
    document = tomlkit.parse(text)
    settings = document.get("settings")
    if settings is None:
        settings = tomlkit.table()
        document["settings"] = settings
    lists = settings.get("lists")
    if lists is None:
        lists = tomlkit.table()
        settings["lists"] = lists
    if category in lists:
        lists[category].append(source)
    else:
        # The category used its default sources: keep them and add the new one.
        array = tomlkit.array()
        array.multiline(True)
        for location in [*existing, source]:
            array.append(location)
        lists[category] = array
    try:
        write_policy_text(config, tomlkit.dumps(document))
    except InvalidPolicyError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"không ghi được {config}: {exc}")
    return None


# --- update -------------------------------------------------------------------------------


def run_update(args: argparse.Namespace) -> int:
    from agent.policy.errors import InvalidPolicyError

    try:
        lists = read_list_sources(args.config)
    except InvalidPolicyError as exc:
        return _fail(str(exc))
    data_dir: Path = args.data_dir or default_data_dir()
    out = sys.stdout

    def progress(source: ListSource, step: str) -> None:
        verb = "đang tải" if step == "downloading" else "đang đọc"
        print(f"[{source.category}] {source.list_id}: {verb}…", file=out, flush=True)

    outcomes = refresh_lists(
        lists,
        data_dir,
        on_progress=progress,
        on_outcome=lambda outcome: _print_outcome(outcome, out),
    )
    updated = sum(o.status is RefreshStatus.UPDATED for o in outcomes)
    same = sum(o.status is RefreshStatus.NOT_MODIFIED for o in outcomes)
    failed = sum(o.status is RefreshStatus.FAILED for o in outcomes)
    print(
        f"Xong / done: {updated} cập nhật, {same} không đổi, {failed} lỗi "
        f"({len(outcomes)} nguồn) — {data_dir}",
        file=out,
    )
    return 1 if failed else 0


def _print_outcome(outcome: RefreshOutcome, out: TextIO) -> None:
    state = outcome.state
    if outcome.status is RefreshStatus.UPDATED:
        print(f"    {state.count} tên, {state.bad_lines} dòng lỗi", file=out)
        for sample in state.bad_samples[:3]:
            print(f"      dòng {sample.line_number}: {sample.text!r} — {sample.reason}", file=out)
    elif outcome.status is RefreshStatus.NOT_MODIFIED:
        print(f"    không đổi / not modified ({state.count} tên)", file=out)
    else:
        kept = (
            f"giữ bản tốt gần nhất ({state.count} tên)"
            if outcome.has_copy
            else "chưa có bản nào, dùng danh sách khởi đầu"
        )
        print(f"    lỗi / failed: {outcome.error}; {kept}", file=out)


# --- show ---------------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    from agent.policy.errors import InvalidPolicyError

    try:
        lists = read_list_sources(args.config)
    except InvalidPolicyError as exc:
        return _fail(str(exc))
    data_dir: Path = args.data_dir or default_data_dir()
    summaries = summarise(lists, data_dir)
    if args.json:
        json.dump(
            {"data_dir": str(data_dir), "categories": [_summary_json(s) for s in summaries]},
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        print()
        return 0
    for summary in summaries:
        total = sum(s.state.count for s in summary.sources if s.state and s.has_copy)
        print(f"{summary.category}: {total} tên tải về + {summary.starter_count} khởi đầu")
        for item in summary.sources:
            state = item.state
            when = (
                state.updated_at.isoformat(timespec="minutes")
                if state and state.updated_at
                else "chưa"
            )
            count = state.count if state and item.has_copy else 0
            print(f"  - {item.list_id}: {count} tên, cập nhật {when}")
            print(f"    {item.source}")
            if state and state.error:
                print(f"    lỗi gần nhất / last error: {state.error}")
    return 0


def _summary_json(summary: CategorySummary) -> dict[str, Any]:
    return {
        "category": summary.category,
        "starter_count": summary.starter_count,
        "sources": [
            {
                "source": item.source,
                "list": item.list_id,
                "has_copy": item.has_copy,
                "count": item.state.count if item.state and item.has_copy else 0,
                "bad_lines": item.state.bad_lines if item.state else 0,
                "etag": item.state.etag if item.state else None,
                "last_modified": item.state.last_modified if item.state else None,
                "updated_at": (
                    item.state.updated_at.isoformat()
                    if item.state and item.state.updated_at
                    else None
                ),
                "error": item.state.error if item.state else None,
                "error_at": (
                    item.state.error_at.isoformat() if item.state and item.state.error_at else None
                ),
            }
            for item in summary.sources
        ],
    }
