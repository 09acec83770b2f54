"""点検 (X report) of one day over a ledger of 1,000,000 slips (SPEC §9: ≤ 100 ms, R-CLOSE).

The ledger is the one ``bench/slip_list.py`` builds (a year of slips, one register session
a day, cash / terminal / その他 tenders, voids and corrections), so both benchmarks can
share it with ``--db``. Measured on a different random day each run:
- ``day_report``: every figure of the 点検 / 精算 report (one session);
- ``day_report`` + ``ledger_transactions`` + ``DayClose.blockers``: what 「精算」 reads before
  it asks the terminal;
- ``ReportView.show_report`` + paint: the figures on screen, offscreen at 1280×800.

Usage: python bench/close_report.py [--slips N] [--runs N] [--db PATH]   (exit code is always 0)
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import machine, verdict  # noqa: E402
from slip_list import fill  # noqa: E402

BUDGET_MS = 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slips", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--db", type=Path, default=None, help="keep / reuse the filled ledger at this path")
    args = parser.parse_args()
    print(f"# close_report: {machine()}, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}")
    with tempfile.TemporaryDirectory(prefix="regi-bench-") as tmp:
        path = args.db or Path(tmp) / "regi.db"
        if not path.exists():
            start = time.perf_counter()
            fill(path, args.slips)
            print(f"# filled {path} in {time.perf_counter() - start:.0f} s, {path.stat().st_size / 1e6:.0f} MB")
        run(path, args.runs)
    return 0


def run(path: Path, runs: int) -> None:
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select, text

    from app.core.ledger.day_close import DayClose
    from app.core.ledger.day_report import day_report
    from app.core.ledger.ledger import Ledger
    from app.core.ledger.models import RegisterSession, Slip
    from app.core.ledger.terminal_payments import TerminalPaymentBook
    from app.core.ledger.terminal_totals import ledger_transactions
    from app.ui.widgets.report_view import ReportView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    ledger = Ledger(f"sqlite:///{path}")  # migrates a ledger filled by an older Regi (adds the index)
    day = DayClose(ledger, TerminalPaymentBook(ledger))
    rng = random.Random(11)
    with ledger.session() as db:
        total = db.scalar(select(func.count()).select_from(Slip))
        session_ids = db.scalars(select(RegisterSession.id)).all()
        plan = db.execute(text("EXPLAIN QUERY PLAN SELECT kind, staff_id, count(*), sum(total_yen) FROM slips WHERE session_id = 1 GROUP BY kind, staff_id")).all()
    print(f"# ledger: {total:,} slips in {len(session_ids)} sessions, {path.stat().st_size / 1e6:.0f} MB")
    print("# plan (slips of a session):", " | ".join(row[-1] for row in plan))
    view = ReportView()
    view.resize(1280, 700)
    view.show()
    app.processEvents()
    results: dict[str, list[float]] = {}

    def measure(name, fn):
        start = time.perf_counter()
        value = fn()
        results.setdefault(name, []).append(time.perf_counter() - start)
        return value

    now = datetime(2026, 11, 22)
    for _ in range(runs):
        session_id = rng.choice(session_ids)
        with ledger.session() as db:
            report = measure("query: day_report (点検, one day)", lambda: day_report(db, session_id, now))
        with ledger.session() as db:
            measure("query: day_report + ledger_transactions + blockers (精算 before the terminal)",
                    lambda: (day_report(db, session_id, now), ledger_transactions(db, session_id), day.blockers()))

        def show():
            view.show_report(report)
            app.processEvents()

        measure("screen: ReportView.show_report + paint", show)
    print(f"# {runs} random days; a day holds about {total // max(len(session_ids), 1):,} slips; "
          f"last net sales {report.net_sales.count:,} slips ¥{report.net_sales.amount_yen:,}")
    for name, samples in results.items():
        print(verdict(name, samples, BUDGET_MS))
    ledger.dispose()


if __name__ == "__main__":
    sys.exit(main())
