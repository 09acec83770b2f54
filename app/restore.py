"""``regi restore FILE``: put a backup back as this machine's ledger.

The backup is checked first (``PRAGMA integrity_check``, a Regi ledger of a revision this
Regi knows); the current ledger is copied aside (``regi-before-restore-<time>.db`` beside
it) before it is overwritten, through SQLite's backup API. Asks for confirmation unless
``--yes``. An older backup is upgraded at the next start (after a backup of its own).
Exit codes: 0 restored, 1 refused or failed, 3 not confirmed.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path

from app.core.ledger.files import sqlite_file
from app.core.ledger.db import known_revisions
from app.core.ledger.sqlite_copy import copy_database, integrity_check, restore_database, scalar


def parse_args(argv: list[str]) -> argparse.Namespace:
    from platformdirs import user_data_dir

    parser = argparse.ArgumentParser(prog="regi restore", description="バックアップから台帳を復元します。")
    parser.add_argument("backup", type=Path, help="the backup file (regi-YYYYMMDD-HHMMSS.db)")
    parser.add_argument("--data-dir", type=Path, default=Path(user_data_dir("regi", appauthor=False)),
                        help="folder of the ledger to replace (default: the per-user data dir)")
    parser.add_argument("--db", help="SQLAlchemy URL of the ledger to replace (an SQLite file)")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation (scripts)")
    return parser.parse_args(argv)


def describe(path: Path) -> str:
    slips = count_slips(path)
    last = _query(path, "SELECT max(created_at) FROM slips")
    return f"伝票 {slips}件、最後の伝票 {str(last)[:16] if last else 'なし'}、版 {_query(path, 'SELECT version_num FROM alembic_version')}"


def count_slips(path: Path) -> int | None:
    return _query(path, "SELECT count(*) FROM slips")


def _query(path: Path, sql: str):
    """Read-write open: the live ledger is in WAL mode, which read-only opens may not read."""
    try:
        with closing(sqlite3.connect(path, timeout=10)) as db:
            row = db.execute(sql).fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    target = sqlite_file(args.db) if args.db else args.data_dir / "regi.db"
    if target is None:
        print("復元できるのはSQLiteの台帳だけです。", file=sys.stderr)
        return 1
    backup = args.backup
    if not backup.is_file():
        print(f"バックアップが見つかりません：{backup}", file=sys.stderr)
        return 1
    checked = integrity_check(backup)
    if checked != "ok":
        print(f"このバックアップは壊れています（integrity_check: {checked}）。復元しません。", file=sys.stderr)
        return 1
    revision = scalar(backup, "SELECT version_num FROM alembic_version")
    if revision is None or count_slips(backup) is None:
        print(f"Regiの台帳ではありません：{backup}", file=sys.stderr)
        return 1
    if revision not in known_revisions():
        print(f"このバックアップ（版 {revision}）は、このRegiより新しいRegiのものです。Regiを更新してから復元してください。",
              file=sys.stderr)
        return 1
    now = datetime.now().replace(microsecond=0)
    aside = target.with_name(f"{target.stem}-before-restore-{now:%Y%m%d-%H%M%S}.db")
    print(f"復元するバックアップ：{backup}\n  {describe(backup)}（整合性チェック：正常）")
    if target.exists():
        print(f"置き換える台帳：{target}\n  {describe(target)}\n  （今の台帳は {aside} に残します）")
    else:
        print(f"台帳の場所：{target}（まだありません）")
    print("Regiを終了してから復元してください。")
    if not args.yes and not confirm("復元しますか？ [y/N] "):
        print("復元しませんでした。")
        return 3
    try:
        if target.exists():
            copy_database(target, aside)
        target.parent.mkdir(parents=True, exist_ok=True)
        restore_database(backup, target)
    except (OSError, sqlite3.Error) as error:
        print(f"復元できませんでした：{error}", file=sys.stderr)
        return 1
    record_restore(target, backup, aside if target.exists() else None, now)
    print(f"復元しました（整合性チェック：{integrity_check(target)}）。{describe(target)}")
    return 0


def confirm(prompt: str) -> bool:
    try:
        return input(prompt).strip().lower() in ("y", "yes", "はい")
    except EOFError:  # no terminal: only --yes restores
        return False


def record_restore(target: Path, backup: Path, aside: Path | None, now: datetime) -> None:
    """An audit row in the restored ledger: which backup, where the previous ledger went."""
    detail = json.dumps({"backup": str(backup), "previous": str(aside) if aside else None}, ensure_ascii=False)
    with closing(sqlite3.connect(target, timeout=10)) as db, db:
        db.execute("INSERT INTO audit_records (at, action, target, detail) VALUES (?, 'restore', ?, ?)",
                   (now.isoformat(sep=" "), str(backup)[-80:], detail))
