"""Issue 13, versioned upgrades: a newer Regi migrates an older ledger after backing it up
and keeps every slip; an older Regi refuses a ledger written by a newer one, unchanged."""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.core.assets import migrations_dir
from app.core.cart import Cart, Payment, PaymentKind, TaxClass
from app.core.demo import seed_demo
from app.core.ledger.db import HEAD_REVISION, LedgerRefusedError, create_ledger_engine, migrate
from app.core.ledger.ledger import Ledger
from app.core.ledger.sqlite_copy import integrity_check, scalar

SLIP_TABLES = ("slips", "slip_lines", "slip_taxes", "tenders")


def alembic_config(scripts: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(scripts))
    return config


# The revisions a shop's ledger may still be at: those released before the hash chain (0004) made
# the slips' columns change. ``ledger_at`` writes 0001's slip columns in plain SQL.
RELEASED = {"0001", "0002", "0003"}
OLDER = [r.revision for r in ScriptDirectory.from_config(alembic_config(migrations_dir())).walk_revisions()
         if r.revision != HEAD_REVISION and r.revision in RELEASED]

NEWER_MIGRATION = '''"""a newer Regi's migration (test)"""
from alembic import op
import sqlalchemy as sa

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("loyalty_cards", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("number", sa.String(20)))
    with op.batch_alter_table("registers") as batch:  # a table rebuild, referenced by slips
        batch.add_column(sa.Column("location", sa.String(40), nullable=True))


def downgrade():
    pass
'''


def rows(path: Path, columns: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """The slip tables' rows, in ``columns`` (default: every column there is now). A later
    migration may add columns (0004's hash chain); the ones an older ledger had must keep their values."""
    with closing(sqlite3.connect(path)) as db:
        columns = columns or {table: [c[1] for c in db.execute(f"PRAGMA table_info('{table}')")] for table in SLIP_TABLES}
        return {table: db.execute(f"SELECT {', '.join(columns[table])} FROM {table} ORDER BY 1, 2").fetchall()
                for table in SLIP_TABLES}


def columns_of(path: Path) -> dict[str, list[str]]:
    with closing(sqlite3.connect(path)) as db:
        return {table: [c[1] for c in db.execute(f"PRAGMA table_info('{table}')")] for table in SLIP_TABLES}


def revision(path: Path) -> str:
    return scalar(path, "SELECT version_num FROM alembic_version")


def backups(db_file: Path) -> list[Path]:
    return sorted((db_file.parent / "backups").glob("regi-*.db"))


def sell(ledger: Ledger, price: int) -> None:
    cart = Cart()
    cart.add_product(1, "ブレンドコーヒー", price, TaxClass.FOOD)
    cart.add_product(2, "タンブラー", 2200, TaxClass.STANDARD)
    cart.add_payment(Payment(PaymentKind.OTHER, "商品券", 1000, "gift_voucher"))
    cart.add_payment(Payment(PaymentKind.CASH, "現金", price + 1200, "cash"))
    ledger.commit_sale(cart, ledger.staff()[1].id)


def ledger_at(db_file: Path, base: str) -> None:
    """A ledger created by an older Regi, at revision ``base``, holding 3 slips (plain SQL
    of the 0001 tables, which every later revision keeps)."""
    engine = create_ledger_engine(f"sqlite:///{db_file}")
    with engine.connect() as connection:
        config = alembic_config(migrations_dir())
        config.attributes["connection"] = connection
        command.upgrade(config, base)
        connection.commit()
    engine.dispose()
    with closing(sqlite3.connect(db_file)) as db, db:
        db.execute("INSERT INTO staff VALUES (1, '佐藤', 'cashier', 'x', 0, NULL, 1, 1)")
        db.execute("INSERT INTO registers VALUES (1, 'R01', 'レジ1')")
        db.execute("INSERT INTO register_sessions VALUES (1, 1, '2026-11-20 09:00:00', 1, 30000, NULL, NULL)")
        for n, price in enumerate((450, 500, 1360), start=1):
            tax = price * 8 // 108
            db.execute("INSERT INTO slips VALUES (?, 1, 1, ?, 'sale', NULL, 1, ?, 0, ?, 0, NULL, ?, ?, 0)",
                       (n, n, f"2026-11-20 10:0{n}:00", price, price, price))
            db.execute("INSERT INTO slip_lines VALUES (?, ?, 1, NULL, 'ブレンドコーヒー', ?, 1, 0, NULL, 8, ?)", (n, n, price, price))
            db.execute("INSERT INTO slip_taxes VALUES (?, 8, ?, ?)", (n, price, tax))
            db.execute("INSERT INTO tenders VALUES (?, ?, 1, 'cash', 'cash', '現金', ?, NULL)", (n, n, price))


@pytest.mark.parametrize("base", OLDER)
def test_opening_an_older_ledger_backs_it_up_then_upgrades_it_keeping_every_slip(tmp_path, base):
    db_file = tmp_path / "regi.db"
    ledger_at(db_file, base)
    before, old_columns = rows(db_file), columns_of(db_file)
    ledger = Ledger(f"sqlite:///{db_file}")
    assert revision(db_file) == HEAD_REVISION
    assert rows(db_file, old_columns) == before
    assert [(s.slip_number, s.total_yen, [t.amount_yen for t in s.tenders]) for s in ledger.slips()] == \
        [(1, 450, [450]), (2, 500, [500]), (3, 1360, [1360])]
    [backup] = backups(db_file)
    assert revision(backup) == base and integrity_check(backup) == "ok" and rows(backup) == before
    with ledger.session() as db:
        detail = json.loads(db.execute(text("SELECT detail FROM audit_records WHERE action = 'backup'")).scalar())
    assert detail["reason"] == "upgrade" and detail["ok"]
    ledger.dispose()


@pytest.fixture
def newer_regi(tmp_path) -> Path:
    """The migrations of a newer Regi: ours plus revision 9001."""
    scripts = tmp_path / "newer-migrations"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9001_newer.py").write_text(NEWER_MIGRATION.format(head=HEAD_REVISION), encoding="utf-8")
    return scripts


@pytest.fixture
def ledger_with_sales(tmp_path) -> Path:
    (tmp_path / "shop").mkdir()
    db_file = tmp_path / "shop" / "regi.db"
    ledger = Ledger(f"sqlite:///{db_file}")
    seed_demo(ledger)
    ledger.open_day(ledger.staff()[1].id, total_yen=10000)
    for price in (450, 500, 550, 600):
        sell(ledger, price)
    ledger.dispose()
    return db_file


def test_a_newer_regi_upgrades_a_head_ledger_after_a_backup_keeping_every_slip(ledger_with_sales, newer_regi):
    before = rows(ledger_with_sales)
    engine = create_ledger_engine(f"sqlite:///{ledger_with_sales}")
    migrate(engine, scripts=newer_regi)
    engine.dispose()
    assert revision(ledger_with_sales) == "9001"
    assert rows(ledger_with_sales) == before and len(before["slips"]) == 4
    assert integrity_check(ledger_with_sales) == "ok"
    [backup] = backups(ledger_with_sales)
    assert revision(backup) == HEAD_REVISION and rows(backup) == before


def test_an_older_regi_refuses_a_newer_ledger_and_leaves_it_unchanged(ledger_with_sales, newer_regi):
    engine = create_ledger_engine(f"sqlite:///{ledger_with_sales}")
    migrate(engine, scripts=newer_regi)
    engine.dispose()
    digest = hashlib.sha256(ledger_with_sales.read_bytes()).hexdigest()
    with pytest.raises(LedgerRefusedError) as refused:
        Ledger(f"sqlite:///{ledger_with_sales}")
    assert "新しいRegi" in refused.value.message and "9001" in refused.value.message
    assert hashlib.sha256(ledger_with_sales.read_bytes()).hexdigest() == digest
    assert revision(ledger_with_sales) == "9001"


def test_an_upgrade_is_refused_when_no_backup_can_be_taken(ledger_with_sales, newer_regi):
    backups_dir = ledger_with_sales.parent / "backups"
    backups_dir.write_text("a file where the backups folder should be")
    engine = create_ledger_engine(f"sqlite:///{ledger_with_sales}")
    with pytest.raises(LedgerRefusedError) as refused:
        migrate(engine, scripts=newer_regi)
    engine.dispose()
    assert "バックアップができないため" in refused.value.message
    assert revision(ledger_with_sales) == HEAD_REVISION
