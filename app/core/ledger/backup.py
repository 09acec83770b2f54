"""Backups of the ledger (issue 13): taken at the day's first login, at 精算, on demand from
設定 and before an upgrade; checked with ``PRAGMA integrity_check``; the last N kept.

- ``backup_ledger(ledger, reason)``: the one call for callers (精算): copies the
  ledger into the backup folder of the settings, checks and prunes, records the result as
  an audit row (action ``backup``) and returns it. Never raises for a failed backup: the
  result says what went wrong, in Japanese, and ``last_backup`` keeps saying it until a
  backup succeeds (the top screen shows it). The register's UI runs ``take_backup`` on its
  device worker and ``record_backup`` back on the UI thread, which does all ledger writes.
- Only SQLite ledgers are backed up here (``None`` for PostgreSQL: use its own tools).
- Backups are ``regi-YYYYMMDD-HHMMSS[-n].db`` files; pruning touches only such names.
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.core.ledger import audit
from app.core.ledger.files import sqlite_file
from app.core.ledger.models import AuditRecord
from app.core.ledger.sqlite_copy import copy_database, integrity_check, scalar

log = logging.getLogger(__name__)

BACKUP_GLOB = "regi-????????-??????*.db"
DEFAULT_FOLDER = "backups"  # beside the ledger file, i.e. in the data dir


@dataclass(frozen=True)
class BackupResult:
    ok: bool
    at: datetime
    reason: str  # login | close | manual | upgrade
    folder: str
    path: str | None = None  # the backup file, when one was written
    integrity: str = ""  # "ok" or SQLite's problems
    slips: int | None = None  # slips in the backup
    kept: int = 0  # backups in the folder after pruning
    error: str = ""  # why it failed (technical detail)

    @property
    def message(self) -> str:
        """What the shop is told, in Japanese."""
        if self.ok:
            return (f"バックアップしました（{self.at:%m/%d %H:%M}）。\n整合性チェック：正常（ok）　伝票 {self.slips}件\n"
                    f"保存先：{self.path}（保存数 {self.kept}）")
        if self.path and self.integrity and self.integrity != "ok":
            return f"バックアップの整合性チェックで異常が見つかりました（{self.at:%m/%d %H:%M}）：{self.integrity}"
        return f"バックアップできませんでした（{self.at:%m/%d %H:%M}）。保存先：{self.folder}\n{self.error}"


def backup_folder(db_file: Path, setting: str) -> Path:
    """The ``backup_dir`` setting, or ``backups/`` beside the ledger when it is empty."""
    return Path(setting).expanduser() if setting.strip() else db_file.parent / DEFAULT_FOLDER


def backup_file(db_file: Path, folder: Path, *, keep: int, now: datetime, reason: str) -> BackupResult:
    """Copy ``db_file`` into ``folder``, check the copy, then keep the newest ``keep`` backups."""
    try:
        folder.mkdir(exist_ok=True)  # not parents: an unmounted USB stick must fail, not fill the disk
        target = _free_name(folder, f"regi-{now:%Y%m%d-%H%M%S}")
        copy_database(db_file, target)
    except Exception as error:  # OSError (folder gone, disk full), sqlite3.Error
        log.warning("backup to %s failed: %s", folder, error)
        return BackupResult(False, now, reason, str(folder), error=_describe(error))
    checked = integrity_check(target)
    if checked != "ok":
        log.error("backup %s fails integrity_check: %s", target, checked)
        return BackupResult(False, now, reason, str(folder), path=str(target), integrity=checked)
    kept = prune(folder, keep)
    slips = scalar(target, "SELECT count(*) FROM slips")
    log.info("ledger backed up to %s (%s slips, %d kept)", target, slips, kept)
    return BackupResult(True, now, reason, str(folder), path=str(target), integrity=checked, slips=slips, kept=kept)


def prune(folder: Path, keep: int) -> int:
    """Delete all but the newest ``keep`` (≥ 1) backups in ``folder``; returns how many remain."""
    backups = sorted(folder.glob(BACKUP_GLOB), key=lambda p: (p.stat().st_mtime_ns, p.name))
    for old in backups[:-max(keep, 1)]:
        old.unlink(missing_ok=True)
    return min(len(backups), max(keep, 1))


def backup_ledger(ledger, reason: str, staff_id: int | None = None) -> BackupResult | None:
    """Back up ``ledger`` (an ``app.core.ledger.ledger.Ledger``) where its settings say, and
    record the result (audit action ``backup``). ``None`` when the ledger is not an SQLite file."""
    result = take_backup(ledger, reason)
    if result is not None:
        record_backup(ledger, result, staff_id)
    return result


def take_backup(ledger, reason: str) -> BackupResult | None:
    """The copy alone, writing nothing to the ledger: safe on a worker thread while the UI
    thread writes (a write from the worker could end a UI transaction's read-then-write
    with SQLITE_BUSY, which SQLite does not wait out)."""
    db_file = sqlite_file(ledger.url)
    if db_file is None:
        return None
    settings = ledger.settings()
    folder = backup_folder(db_file, settings.backup_dir)
    return backup_file(db_file, folder, keep=settings.backup_keep, now=ledger.clock.now(), reason=reason)


def record_backup(ledger, result: BackupResult, staff_id: int | None = None) -> None:
    """The audit row ``last_backup`` reads (the top screen's warning until one succeeds)."""
    with ledger.write() as db:
        audit.record(db, result.at, "backup", staff_id, target=result.path, detail=asdict(result))


def last_backup(ledger) -> BackupResult | None:
    """The latest recorded backup (successful or not), or ``None`` before the first."""
    with ledger.session() as db:
        row = db.scalar(select(AuditRecord).where(AuditRecord.action == "backup")
                        .order_by(AuditRecord.at.desc(), AuditRecord.id.desc()).limit(1))
    if row is None or not row.detail:
        return None
    detail = json.loads(row.detail)
    detail["at"] = datetime.fromisoformat(detail["at"])
    return BackupResult(**detail)


def backup_due(ledger) -> bool:
    """True at the day's first login: no backup has succeeded yet today (a failed one is retried)."""
    if sqlite_file(ledger.url) is None:
        return False
    last = last_backup(ledger)
    return last is None or not last.ok or last.at.date() != ledger.clock.now().date()


def _free_name(folder: Path, stem: str) -> Path:
    target, n = folder / f"{stem}.db", 1
    while target.exists():
        n += 1
        target = folder / f"{stem}-{n}.db"
    return target


def _describe(error: Exception) -> str:
    if isinstance(error, PermissionError):
        return "保存先に書き込めません（権限がありません）。"
    if isinstance(error, FileNotFoundError):
        return "保存先が見つかりません（USBメモリや共有フォルダが接続されているか確認してください）。"
    if isinstance(error, OSError) and error.errno == 28:
        return "保存先の空き容量が足りません。"
    return f"{type(error).__name__}: {error}"
