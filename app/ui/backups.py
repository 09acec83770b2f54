"""Ledger backups from the register (issue 13): at the day's first login and on demand
from 設定, run on the device worker (never on the UI thread); ``changed`` fires with each
result so the top screen can show a failed backup until one succeeds."""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from app.core.ledger.backup import BackupResult, backup_due, last_backup, record_backup, take_backup
from app.ui.background import ledger_work

log = logging.getLogger(__name__)


class BackupKeeper(QObject):
    changed = Signal()

    def __init__(self, context):
        super().__init__()
        self.context = context
        self.running = False
        self._last: BackupResult | None = None
        self._loaded = False

    @property
    def last(self) -> BackupResult | None:
        """The latest backup's result (from the ledger's audit rows, then kept here)."""
        if not self._loaded:
            self._last, self._loaded = last_backup(self.context.ledger), True
        return self._last

    def after_login(self, staff_id: int, due: bool | None = None) -> None:
        """The day's first login (or the first after a failed backup) takes a backup.
        ``due``: ``backup_due`` read already, off the UI thread (the login's password check)."""
        if not self.running and (backup_due(self.context.ledger) if due is None else due):
            self.run("login", staff_id)

    def run(self, reason: str, staff_id: int | None, on_done=None) -> None:
        """Back up now; ``on_done(result)`` on the UI thread (``None``: not an SQLite ledger)."""
        self.running = True
        ledger = self.context.ledger

        def failed(error: BaseException) -> None:  # a bug: backup_file reports its own failures
            log.error("backup failed: %s", error)
            finished(BackupResult(False, ledger.clock.now(), reason, "", error=str(error)))

        def finished(result: BackupResult | None) -> None:
            if result is None:
                recorded(None)
                return
            # Recorded on the ledger worker (an audit commit, SPEC §9); ``running`` until then.
            ledger_work().submit(lambda: record_backup(ledger, result, staff_id), lambda _r: recorded(result),
                                 lambda error: (log.error("cannot record the backup's result: %s", error), recorded(result)))

        def recorded(result: BackupResult | None) -> None:
            self.running = False
            if result is not None:
                self._last, self._loaded = result, True
            self.changed.emit()
            if on_done:
                on_done(result)

        self.context.run_device(lambda: take_backup(ledger, reason), finished, failed)

    def failure_text(self) -> str:
        """The top screen's warning while the latest backup failed, else ""."""
        last = self.last
        if last is None or last.ok:
            return ""
        return f"⚠ {last.message}\n「設定」の「今すぐバックアップ」で再試行できます。"


