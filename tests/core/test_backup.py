"""Issue 13: ledger backups with SQLite's online backup API — consistent while Regi writes,
checked with integrity_check, the last N kept, failures recorded until one succeeds."""
from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest

from app.core.cart import Cart, Payment, PaymentKind, TaxClass
from app.core.clock import FixedClock
from app.core.demo import seed_demo
from app.core.ledger import slips as slips_module
from app.core.ledger.backup import backup_due, backup_file, backup_ledger, last_backup, prune
from app.core.ledger.files import sqlite_file
from app.core.ledger.ledger import Ledger
from app.core.ledger.sqlite_copy import integrity_check, restore_database

T0 = datetime(2026, 11, 25, 9, 0, 0)


@pytest.fixture
def ledger(tmp_path):
    (tmp_path / "shop").mkdir()
    ledger = Ledger(f"sqlite:///{tmp_path / 'shop' / 'regi.db'}", FixedClock(T0))
    seed_demo(ledger)
    staff = ledger.staff()[1]
    ledger.open_day(staff.id, total_yen=10000)
    yield ledger
    ledger.dispose()


def sell(ledger, price=450):
    cart = Cart()
    cart.add_product(1, "ブレンドコーヒー", price, TaxClass.FOOD)
    cart.add_payment(Payment(PaymentKind.CASH, "現金", price, "cash"))
    return ledger.commit_sale(cart, ledger.staff()[1].id)


def slip_rows(ledger):
    return [(s.slip_number, s.total_yen, [(t.label, t.amount_yen) for t in s.tenders], len(s.lines)) for s in ledger.slips()]


def test_a_backup_taken_during_a_sale_restores_every_committed_slip(ledger, tmp_path, monkeypatch):
    for price in (450, 500, 550):
        sell(ledger, price)
    committed = slip_rows(ledger)
    taken = []
    original = slips_module.commit_sale

    def commit_sale_with_a_backup_inside(db, cart, **kwargs):
        slip = original(db, cart, **kwargs)
        db.flush()  # the 4th slip's rows are written in this open transaction
        taken.append(backup_file(sqlite_file(ledger.url), tmp_path / "usb", keep=14, now=T0, reason="test"))
        return slip

    monkeypatch.setattr(slips_module, "commit_sale", commit_sale_with_a_backup_inside)
    sell(ledger, 600)  # the sale commits after the backup was taken
    [result] = taken
    assert result.ok and result.integrity == "ok" and result.slips == 3

    restored = tmp_path / "restored" / "regi.db"
    restored.parent.mkdir()
    restore_database(Path(result.path), restored)
    assert integrity_check(restored) == "ok"
    again = Ledger(f"sqlite:///{restored}")
    assert slip_rows(again) == committed  # every committed slip, whole; not the one in flight
    again.dispose()
    assert len(ledger.slips()) == 4


def test_backups_while_sales_commit_in_another_thread_are_each_a_consistent_prefix(ledger, tmp_path):
    db_file = sqlite_file(ledger.url)
    errors = []

    def sell_40():
        try:
            for _ in range(40):
                sell(ledger)
        except Exception as error:  # reported below
            errors.append(error)

    seller = threading.Thread(target=sell_40)
    seller.start()
    results = []
    while seller.is_alive() and len(results) < 40:
        results.append(backup_file(db_file, tmp_path / "usb", keep=50, now=T0, reason="test"))
    seller.join()
    assert not errors
    for result in results:
        assert result.ok, result.message
        copy = Ledger(f"sqlite:///{result.path}")
        rows = copy.slips()
        assert [s.slip_number for s in rows] == list(range(1, len(rows) + 1))
        assert all(s.lines and sum(t.amount_yen for t in s.tenders) == s.total_yen for s in rows)
        copy.dispose()


def test_backup_ledger_uses_the_settings_keeps_the_last_n_and_records_the_result(ledger, tmp_path):
    from dataclasses import replace

    usb = tmp_path / "usb"
    usb.mkdir()
    ledger.save_settings(replace(ledger.settings(), backup_dir=str(usb), backup_keep=3), None)
    assert backup_due(ledger)
    results = []
    for minute in range(5):
        ledger.clock.at = T0.replace(minute=minute)
        results.append(backup_ledger(ledger, "manual"))
    assert all(r.ok for r in results)
    names = sorted(p.name for p in usb.glob("regi-*.db"))
    assert names == ["regi-20261125-090200.db", "regi-20261125-090300.db", "regi-20261125-090400.db"]
    assert results[-1].kept == 3 and "正常" in results[-1].message
    assert last_backup(ledger) == results[-1]
    assert not backup_due(ledger)  # one succeeded today
    ledger.clock.advance(days=1)
    assert backup_due(ledger)  # the next day's first login


def test_a_failed_backup_is_remembered_until_one_succeeds(ledger, tmp_path):
    from dataclasses import replace

    missing = tmp_path / "unplugged-usb" / "regi"
    ledger.save_settings(replace(ledger.settings(), backup_dir=str(missing)), None)
    failed = backup_ledger(ledger, "login")
    assert not failed.ok and "保存先が見つかりません" in failed.message
    assert not missing.exists()  # an unmounted stick's folder is not created on the tablet's disk
    assert last_backup(ledger) == failed and backup_due(ledger)
    missing.parent.mkdir()
    ledger.clock.advance(minutes=1)
    ok = backup_ledger(ledger, "manual")
    assert ok.ok and last_backup(ledger) == ok and not backup_due(ledger)


def test_default_folder_is_backups_beside_the_ledger(ledger, tmp_path):
    result = backup_ledger(ledger, "login")
    assert Path(result.path).parent == tmp_path / "shop" / "backups"


def test_prune_touches_only_backup_names(tmp_path):
    for name in ("regi-20261101-090000.db", "regi-20261102-090000.db", "notes.txt", "regi.db"):
        (tmp_path / name).write_text("x")
    assert prune(tmp_path, 1) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "regi-20261102-090000.db", "regi.db"]


def test_a_postgresql_ledger_is_not_backed_up_here():
    class Remote:
        url = "postgresql+psycopg://u:p@host/regi"

    assert backup_ledger(Remote(), "login") is None and not backup_due(Remote())
