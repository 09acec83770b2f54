"""Issue 13: ``regi restore FILE`` puts a backup back after a confirmation, keeping the
current ledger aside; broken, foreign or newer backups are refused and change nothing."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from app.__main__ import main
from app.core.cart import Cart, Payment, PaymentKind, TaxClass
from app.core.clock import FixedClock
from app.core.demo import seed_demo
from app.core.ledger.backup import backup_ledger
from app.core.ledger.ledger import Ledger
from app.core.ledger.sqlite_copy import integrity_check

T0 = datetime(2026, 11, 25, 9, 0, 0)


@pytest.fixture
def shop(tmp_path):
    """A data dir whose ledger has 2 slips in a backup and 3 slips now."""
    ledger = Ledger(f"sqlite:///{tmp_path / 'regi.db'}", FixedClock(T0))
    seed_demo(ledger)
    ledger.open_day(ledger.staff()[1].id, total_yen=10000)
    sell(ledger, 450)
    sell(ledger, 500)
    backup = backup_ledger(ledger, "manual")
    sell(ledger, 550)
    ledger.dispose()
    return tmp_path, Path(backup.path)


def sell(ledger, price):
    cart = Cart()
    cart.add_product(1, "ブレンドコーヒー", price, TaxClass.FOOD)
    cart.add_payment(Payment(PaymentKind.CASH, "現金", price, "cash"))
    ledger.commit_sale(cart, ledger.staff()[1].id)


def totals(path):
    with closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("SELECT total_yen FROM slips ORDER BY id")]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_restore_with_yes_puts_the_backup_back_and_keeps_the_current_ledger_aside(shop, capsys):
    data_dir, backup = shop
    assert main(["restore", str(backup), "--data-dir", str(data_dir), "--yes"]) == 0
    ledger_file = data_dir / "regi.db"
    assert totals(ledger_file) == [450, 500] and integrity_check(ledger_file) == "ok"
    [aside] = data_dir.glob("regi-before-restore-*.db")
    assert totals(aside) == [450, 500, 550]
    with closing(sqlite3.connect(ledger_file)) as db:
        detail = json.loads(db.execute("SELECT detail FROM audit_records WHERE action = 'restore'").fetchone()[0])
    assert detail == {"backup": str(backup), "previous": str(aside)}
    out = capsys.readouterr().out
    assert "復元しました" in out and "伝票 2件" in out
    reopened = Ledger(f"sqlite:///{ledger_file}")  # the app opens it as usual
    assert [s.total_yen for s in reopened.slips()] == [450, 500]
    reopened.dispose()


@pytest.mark.parametrize("answer, code, restored", [("n", 3, False), ("", 3, False), ("y", 0, True)])
def test_restore_asks_first(shop, monkeypatch, answer, code, restored):
    data_dir, backup = shop
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or answer)
    assert main(["restore", str(backup), "--data-dir", str(data_dir)]) == code
    assert prompts == ["復元しますか？ [y/N] "]
    assert totals(data_dir / "regi.db") == ([450, 500] if restored else [450, 500, 550])
    assert bool(list(data_dir.glob("regi-before-restore-*.db"))) == restored


def test_a_broken_backup_is_refused(shop, capsys):
    data_dir, backup = shop
    data = bytearray(backup.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # a page of garbage
    backup.write_bytes(bytes(data))
    before = digest(data_dir / "regi.db")
    assert main(["restore", str(backup), "--data-dir", str(data_dir), "--yes"]) == 1
    assert "壊れています" in capsys.readouterr().err
    assert digest(data_dir / "regi.db") == before


def test_a_file_that_is_not_a_ledger_is_refused(shop, tmp_path, capsys):
    data_dir, _ = shop
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE t (x)")
    assert main(["restore", str(other), "--data-dir", str(data_dir), "--yes"]) == 1
    assert "Regiの台帳ではありません" in capsys.readouterr().err


def test_a_backup_from_a_newer_regi_is_refused(shop, capsys):
    data_dir, backup = shop
    with closing(sqlite3.connect(backup)) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '9001'")
    assert main(["restore", str(backup), "--data-dir", str(data_dir), "--yes"]) == 1
    assert "新しいRegi" in capsys.readouterr().err
    assert totals(data_dir / "regi.db") == [450, 500, 550]


def test_regi_refuses_to_start_on_a_newer_ledger(shop, capsys, restored_logging):
    data_dir, _ = shop
    with closing(sqlite3.connect(data_dir / "regi.db")) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '9001'")
    assert main(["--data-dir", str(data_dir), "--no-simulator"]) == 2
    assert "このRegiより新しいRegi" in capsys.readouterr().err
