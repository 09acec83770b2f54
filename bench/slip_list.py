"""Opening and filtering the slip list over 1,000,000 slips (SPEC §9: ≤ 100 ms).

The ledger is a temp SQLite file made as the app makes it (migrations, demo shop), then
filled with raw SQL ``executemany`` in big transactions: a year of slips (default
1,000,000, about 2,740 a day between 08:00 and 22:00), each with 1–4 lines, per-rate
taxes, 1–2 tenders (cash 65 %, terminal 20 %, その他 10 %, cash + その他 5 %), a drawer
movement for cash, and 0.5 % voided (a reversing slip, its drawer movement and audit
record; a third of them as 伝票訂正). One register session a day.

Measured, each on a different random day of the year (the day's page cache is warm
after its first read, as on a till that just showed the list):
- ``SlipJournal.page`` + ``count`` (the queries behind the list's first screen), unfiltered
  and with each filter, and with an amount nothing matches (the whole day is read);
- ``SlipListModel.reset`` (query + model first page) and ``fetchMore`` (next page);
- the real ``SlipListScreen``: ``MainWindow.go("SlipListScreen")`` (enter: queries, model
  reset) + ``processEvents()`` (layout, paint), offscreen at 1280×800, with the clock
  set to that day so the screen opens on it;
- filtering on that screen: amount range, method (決済端末), 伝票番号, and 「◀ 前日」.

Usage: python bench/slip_list.py [--slips N] [--runs N] [--db PATH]   (exit code is always 0)
``--db PATH`` keeps the filled ledger there and reuses it on the next run (default: a
temp dir, deleted at the end).
"""
from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import machine, verdict  # noqa: E402

BUDGET_MS = 100
LAST_DAY = date(2026, 11, 21)
DAYS = 365
BATCH_SLIPS = 50_000
FMT = "%Y-%m-%d %H:%M:%S.000000"  # SQLAlchemy's SQLite DATETIME storage format

PRODUCTS = [  # id, name, price, tax class (the demo catalogue's first products)
    (1, "ブレンドコーヒー", 450, "food"), (2, "カフェラテ", 520, "food"), (3, "カプチーノ", 520, "food"),
    (4, "アイスコーヒー", 480, "food"), (5, "紅茶", 450, "food"), (9, "クラフトビール", 750, "standard"),
    (10, "ミックスサンド", 680, "food"), (13, "ナポリタン", 980, "food"), (19, "チーズケーキ", 520, "food"),
    (23, "スコーン", 350, "food"), (26, "タンブラー", 2200, "standard"), (27, "マグカップ", 1650, "standard"),
]
TERMINAL_LABELS = (("USEN PAY クレジット", "credit"), ("USEN PAY 電子マネー", "emoney"), ("USEN PAY QRコード", "qr"))


def tax(amount: int, rate: int) -> int:
    return amount * rate // (100 + rate)


def fill(path: Path, slips: int, seed: int = 1) -> None:
    """Create the ledger the app's way, then bulk-insert ``slips`` slips over ``DAYS`` days."""
    from app.core.demo import seed_demo
    from app.core.ledger.ledger import Ledger

    ledger = Ledger(f"sqlite:///{path}")
    seed_demo(ledger)
    register_id = ledger.register().id
    ledger.dispose()
    rng = random.Random(seed)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")  # the fill only; the app reopens it with FULL
    db.execute("PRAGMA cache_size=-200000")
    first_day = LAST_DAY - timedelta(days=DAYS - 1)
    per_day = [slips // DAYS + (1 if d < slips % DAYS else 0) for d in range(DAYS)]
    slip_id = line_id = tender_id = move_id = audit_id = number = 0
    rows = {k: [] for k in ("sessions", "slips", "lines", "taxes", "tenders", "moves", "audit")}

    def flush() -> None:
        db.execute("BEGIN")
        db.executemany("INSERT INTO register_sessions (id, register_id, opened_at, opened_by_id, float_yen, closed_at, closed_by_id) VALUES (?,?,?,?,?,?,?)", rows["sessions"])
        db.executemany("INSERT INTO slips (id, register_id, session_id, slip_number, kind, voids_slip_id, staff_id, created_at, eat_in, subtotal_yen, discount_yen, discount_label, total_yen, cash_tendered_yen, change_yen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows["slips"])
        db.executemany("INSERT INTO slip_lines (id, slip_id, line_no, product_id, name, unit_price_yen, quantity, discount_yen, discount_label, tax_rate_percent, amount_yen) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows["lines"])
        db.executemany("INSERT INTO slip_taxes (slip_id, rate_percent, taxable_yen, tax_yen) VALUES (?,?,?,?)", rows["taxes"])
        db.executemany("INSERT INTO tenders (id, slip_id, seq, kind, tender_code, label, amount_yen, reference) VALUES (?,?,?,?,?,?,?,?)", rows["tenders"])
        db.executemany("INSERT INTO drawer_movements (id, session_id, slip_id, kind, amount_yen, reason, staff_id, created_at) VALUES (?,?,?,?,?,?,?,?)", rows["moves"])
        db.executemany("INSERT INTO audit_records (id, at, staff_id, authorized_by_id, action, target, detail, reason) VALUES (?,?,?,?,?,?,?,?)", rows["audit"])
        db.execute("COMMIT")
        for batch in rows.values():
            batch.clear()

    def add_slip(session_id, staff, at, kind, voids, eat_in, lines, tenders, cash_tendered, change):
        nonlocal slip_id, line_id, tender_id, move_id, number
        slip_id += 1
        number += 1
        total = sum(amount for *_, amount in lines)
        rows["slips"].append((slip_id, register_id, session_id, number, kind, voids, staff, at, eat_in, total, 0, None, total, cash_tendered, change))
        rates: dict[int, int] = {}
        for line_no, (pid, name, price, quantity, rate, amount) in enumerate(lines, 1):
            line_id += 1
            rows["lines"].append((line_id, slip_id, line_no, pid, name, price, quantity, 0, None, rate, amount))
            rates[rate] = rates.get(rate, 0) + amount
        for rate, amount in rates.items():
            rows["taxes"].append((slip_id, rate, amount, tax(amount, rate)))
        for seq, (kind_, code, label, amount) in enumerate(tenders, 1):
            tender_id += 1
            rows["tenders"].append((tender_id, slip_id, seq, kind_, code, label, amount, None))
        if any(t[0] == "cash" for t in tenders):
            move_id += 1
            rows["moves"].append((move_id, session_id, slip_id, "sale" if kind == "sale" else "void", cash_tendered - change, None, staff, at))
        return slip_id, number

    for day_index in range(DAYS):
        day = first_day + timedelta(days=day_index)
        session_id = day_index + 1
        opened = datetime.combine(day, datetime.min.time()) + timedelta(hours=7, minutes=30)
        rows["sessions"].append((session_id, register_id, opened.strftime(FMT), 1, 30000, (opened + timedelta(hours=15)).strftime(FMT), 1))
        move_id += 1
        rows["moves"].append((move_id, session_id, None, "float", 30000, None, 1, opened.strftime(FMT)))
        seconds = sorted(rng.randrange(8 * 3600, 22 * 3600) for _ in range(per_day[day_index]))
        for second in seconds:
            at = (datetime.combine(day, datetime.min.time()) + timedelta(seconds=second)).strftime(FMT)
            eat_in = rng.random() < 0.4
            lines = []
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
                pid, name, price, tax_class = rng.choice(PRODUCTS)
                quantity = 1 if rng.random() < 0.85 else 2
                rate = 8 if tax_class == "food" and not eat_in else 10
                lines.append((pid, name, price, quantity, rate, price * quantity))
            total = sum(line[-1] for line in lines)
            roll = rng.random()
            if roll < 0.65:
                paid = -(-total // 1000) * 1000 if rng.random() < 0.6 else total
                tenders, cash, change = [("cash", "cash", "現金", paid)], paid, paid - total
            elif roll < 0.85:
                label, code = rng.choice(TERMINAL_LABELS)
                tenders, cash, change = [("terminal", code, label, total)], 0, 0
            elif roll < 0.95:
                tenders, cash, change = [("other", "gift_voucher", "商品券", total)], 0, 0
            else:
                voucher = min(total, 500)
                tenders, cash, change = [("other", "gift_voucher", "商品券", voucher), ("cash", "cash", "現金", total - voucher)], total - voucher, 0
            staff = rng.choice((1, 2, 2, 3, 3))
            original, original_number = add_slip(session_id, staff, at, "sale", None, eat_in, lines, tenders, cash, change)
            if rng.random() < 0.005 and not any(t[0] == "terminal" for t in tenders):
                when = (datetime.strptime(at, FMT) + timedelta(minutes=2)).strftime(FMT)
                negated = [(p, n, pr, -q, r, -a) for p, n, pr, q, r, a in lines]
                add_slip(session_id, staff, when, "void", original, eat_in, negated,
                         [(k, c, l, -a) for k, c, l, a in tenders], -cash, -change)
                correction = rng.random() < 1 / 3
                audit_id += 1
                rows["audit"].append((audit_id + 1_000_000, when, staff, 1, "slip_correct" if correction else "slip_void",
                                      f"slip:{original}", None, "打ち間違い"))
        if len(rows["slips"]) >= BATCH_SLIPS:
            flush()
    flush()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slips", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--db", type=Path, default=None, help="keep / reuse the filled ledger at this path")
    args = parser.parse_args()

    print(f"# slip_list: {machine()}, QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}")
    with tempfile.TemporaryDirectory(prefix="regi-bench-") as tmp:
        tempfile.tempdir = tmp  # python-escpos's mkdtemp() at import lands here too
        path = args.db or Path(tmp) / "regi.db"
        if not path.exists():
            start = time.perf_counter()
            fill(path, args.slips)
            print(f"# filled {path} in {time.perf_counter() - start:.0f} s, {path.stat().st_size / 1e6:.0f} MB")
        try:
            run(path, args.runs)
        finally:
            tempfile.tempdir = None
    return 0


def run(path: Path, runs: int) -> None:
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select, text

    from app.core.clock import FixedClock
    from app.core.ledger.journal import SlipJournal
    from app.core.ledger.models import Slip, Staff
    from app.core.ledger.slip_queries import SlipFilter, TenderMethod
    from app.core.printing.printers import PrinterConfig
    from app.core.printing.service import PrintService
    from app.ui.app import build_register
    from app.ui.widgets.slip_table import SlipListModel

    qInstallMessageHandler(lambda _m, _c, message: None if "propagateSizeHints" in message else print(message, file=sys.stderr))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    rng = random.Random(7)
    clock = FixedClock(datetime.combine(LAST_DAY, datetime.min.time()) + timedelta(hours=23))
    window = build_register(f"sqlite:///{path}", clock=clock, printer=PrintService(PrinterConfig(kind="capture")),
                            settings={"terminal_profile": "none"})
    try:
        ledger = window.context.ledger
        with ledger.session() as db:
            total = db.scalar(select(func.count()).select_from(Slip))
            first, last = db.execute(select(func.min(Slip.created_at), func.max(Slip.created_at))).one()
            window.context.staff = db.scalar(select(Staff).where(Staff.role == "manager"))
        print(f"# ledger: {total:,} slips from {first:%Y-%m-%d} to {last:%Y-%m-%d}, {path.stat().st_size / 1e6:.0f} MB")
        journal = SlipJournal(ledger)
        days = [first.date() + timedelta(days=rng.randrange((last.date() - first.date()).days + 1)) for _ in range(runs)]

        with ledger.session() as db:  # show that the day's range is read through the index
            from sqlalchemy.dialects import sqlite

            from app.core.ledger.slip_queries import _where
            query = select(Slip.id).where(*_where(journal.register_id, days[0], SlipFilter())).order_by(Slip.created_at.desc(), Slip.id.desc()).limit(41)
            sql = query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
            print("# plan:", " | ".join(row[-1] for row in db.execute(text(f"EXPLAIN QUERY PLAN {sql}"))))

        def timed(fn) -> float:
            start = time.perf_counter()
            fn()
            return time.perf_counter() - start

        results: dict[str, list[float]] = {}
        measure = lambda name, fn: results.setdefault(name, []).append(timed(fn))  # noqa: E731
        model = SlipListModel()
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        screen = window.screen("SlipListScreen")
        for i, day in enumerate(days):
            with ledger.session() as db:  # a real 伝票番号 of that day
                start = datetime.combine(day, datetime.min.time())
                numbers = db.scalars(select(Slip.slip_number).where(Slip.created_at >= start, Slip.created_at < start + timedelta(days=1))).all()
            number = rng.choice(numbers)
            flt_amount = SlipFilter(min_total_yen=1000, max_total_yen=3000)
            flt_method = SlipFilter(methods=frozenset({TenderMethod.TERMINAL}))
            measure("query: SlipJournal.page + count, a day", lambda: (journal.page(day), journal.count(day)))
            measure("query: page + count, amount ¥1,000〜¥3,000", lambda: (journal.page(day, flt_amount), journal.count(day, flt_amount)))
            measure("query: page + count, method 決済端末", lambda: (journal.page(day, flt_method), journal.count(day, flt_method)))
            flt_none = SlipFilter(min_total_yen=9_000_000)  # worst case: every row of the day is read, none kept
            measure("query: page + count, amount matching nothing", lambda: (journal.page(day, flt_none), journal.count(day, flt_none)))
            measure("query: page + count, 伝票番号", lambda: (journal.page(day, SlipFilter(slip_number=number)), journal.count(day, SlipFilter(slip_number=number))))
            measure("model: SlipListModel.reset (first page)", lambda: model.reset(lambda cursor: journal.page(day, SlipFilter(), cursor)))
            measure("model: fetchMore (next page)", lambda: model.fetchMore())
            window.go("TopScreen")
            app.processEvents()
            clock.at = datetime.combine(day, datetime.min.time()) + timedelta(hours=23)

            def open_list():
                window.go("SlipListScreen")
                app.processEvents()

            measure("screen: go(SlipListScreen) + paint", open_list)
            assert screen.model.rowCount() > 0 and screen.day == day

            def search(**entries):
                def run_search():
                    screen.entries = {"from": "", "to": "", "number": "", **entries}
                    screen.apply_filters()
                    app.processEvents()
                return run_search

            measure("screen: filter amount ¥1,000〜¥3,000 + paint", search(**{"from": "1000", "to": "3000"}))
            screen.entries = {"from": "", "to": "", "number": ""}
            screen.method_buttons[TenderMethod.TERMINAL].setChecked(True)
            measure("screen: filter method 決済端末 + paint", search())
            screen.method_buttons[TenderMethod.TERMINAL].setChecked(False)
            measure("screen: filter 伝票番号 + paint", search(number=str(number)))
            assert [r.slip_number for r in screen.model.rows] == [number], (number, day)
            screen.entries = {"from": "", "to": "", "number": ""}
            screen.apply_filters()

            def previous_day():
                screen.set_day(screen.day - timedelta(days=1))
                app.processEvents()

            measure("screen: 「◀ 前日」 + paint", previous_day)
        print(f"# {runs} random days; a day holds about {total // DAYS:,} slips")
        for name, samples in results.items():
            print(verdict(name, samples, BUDGET_MS))
    finally:
        window.context.devices.shutdown()
        window.context.terminal.stop()
        window.context.ledger.dispose()
        window.close()


if __name__ == "__main__":
    sys.exit(main())
