"""Issue 13: a new ledger is replayed from the generated dump of the migrations (no alembic at a
shop's first start); it must be the ledger the migrations make, triggers and rows included."""
from __future__ import annotations

import re
import sqlite3
from contextlib import closing

from alembic import command
from alembic.config import Config

from app.core.assets import migrations_dir
from app.core.ledger.db import HEAD_REVISION, create_ledger_engine
from app.core.ledger.ledger import Ledger


def schema(path) -> dict:
    """Everything about an SQLite schema that matters, independent of column order and
    of how the CREATE statements were spelled."""
    with closing(sqlite3.connect(path)) as db:
        objects = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
        out = {}
        for kind, name, table, sql in objects:
            if kind == "table":
                out[f"table {name}"] = {
                    "columns": sorted(db.execute(f"PRAGMA table_info('{name}')").fetchall(), key=lambda c: c[1]),
                    "foreign_keys": sorted(row[2:] for row in db.execute(f"PRAGMA foreign_key_list('{name}')")),
                    "checks": sorted(re.findall(r"CONSTRAINT (\w+) CHECK \((.*?)\)(?:,|\s*\)$|\n)", sql)),
                    "rows": sorted(db.execute(f"SELECT * FROM {name}").fetchall(), key=repr),
                }
            elif kind == "index":
                info = db.execute(f"PRAGMA index_info('{name}')").fetchall()
                where = re.search(r"WHERE (.*)$", sql or "")
                out[f"index {name}"] = (table, [c[2] for c in info], bool(sql and "UNIQUE" in sql.upper()),
                                        where.group(1).strip() if where else None)
            else:
                out[f"{kind} {name}"] = (table, " ".join((sql or "").split()))
        return out


def test_a_fresh_ledger_is_the_ledger_the_migrations_make(tmp_path):
    migrated = tmp_path / "migrated.db"
    engine = create_ledger_engine(f"sqlite:///{migrated}")
    with engine.connect() as connection:
        config = Config()
        config.set_main_option("script_location", str(migrations_dir()))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
    engine.dispose()

    fresh = tmp_path / "fresh.db"
    Ledger(f"sqlite:///{fresh}").dispose()

    expected, actual = schema(migrated), schema(fresh)
    # If this fails after adding a migration: `python -m app.core.ledger.fresh` regenerates the dump.
    assert expected["table alembic_version"]["rows"] == [(HEAD_REVISION,)]
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert actual[name] == expected[name], name
    assert any(name.startswith("trigger slips_no_update") for name in actual)


def test_the_shipped_demo_password_hashes_are_salted_scrypt_hashes_of_the_documented_passwords():
    from app.core.demo import DEMO_PASSWORD_HASHES, DEMO_STAFF
    from app.core.ledger.passwords import verify_password

    assert sorted(DEMO_PASSWORD_HASHES) == sorted(password for _, _, password in DEMO_STAFF)
    for password, stored in DEMO_PASSWORD_HASHES.items():
        assert stored.startswith("scrypt$16384$") and verify_password(password, stored)
        assert not verify_password("0000", stored)
    assert len({stored.split("$")[4] for stored in DEMO_PASSWORD_HASHES.values()}) == 3  # one salt each


# --- the login screen's opening without SQLAlchemy (app.core.ledger.startup, issue 13) ---

def test_a_new_shop_opened_for_the_login_screen_is_the_ledger_the_full_opening_makes(tmp_path):
    from app.core.demo import seed_demo
    from app.core.ledger.startup import open_for_login

    full = tmp_path / "full.db"
    ledger = Ledger(f"sqlite:///{full}")
    seed_demo(ledger)
    ledger.dispose()
    quick = tmp_path / "quick.db"
    view = open_for_login(f"sqlite:///{quick}", demo=True)

    # If this fails after changing the demo shop or a migration: `python -m app.core.ledger.fresh`.
    assert schema(quick) == schema(full)
    assert [(m.name, m.is_manager) for m in view.staff] == [("山田 店長", True), ("佐藤", False), ("鈴木", False)]
    assert view.shop_timezone == "Asia/Tokyo"
    assert quick.stat().st_mode & 0o777 == 0o600
    with closing(sqlite3.connect(quick)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    opened = Ledger(f"sqlite:///{quick}")  # the full opening after the first paint finds it ready
    assert not seed_demo(opened) and [m.id for m in opened.staff()] == [m.id for m in view.staff]
    opened.dispose()


def test_without_the_demo_a_new_shop_is_only_the_schema(tmp_path):
    from app.core.ledger.startup import open_for_login

    full = tmp_path / "full.db"
    Ledger(f"sqlite:///{full}").dispose()
    quick = tmp_path / "quick.db"
    view = open_for_login(f"sqlite:///{quick}", demo=False)
    assert schema(quick) == schema(full) and view.staff == []


def test_a_ledger_to_migrate_or_refuse_is_left_to_the_full_opening_untouched(tmp_path):
    from app.core.ledger.startup import open_for_login

    path = tmp_path / "regi.db"
    assert open_for_login(f"sqlite:///{path}", demo=True) is not None
    for revision in ("0005", "9999"):  # older (backed up, then migrated), newer (refused)
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        before = path.read_bytes()
        assert open_for_login(f"sqlite:///{path}", demo=True) is None
        assert path.read_bytes() == before
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as db, db:
        db.execute("CREATE TABLE notes (text)")  # not a ledger
    assert open_for_login(f"sqlite:///{other}", demo=True) is None
    assert open_for_login("postgresql+psycopg://regi@127.0.0.1/regi", demo=True) is None
    assert open_for_login(f"sqlite:///{path}?timeout=5", demo=True) is None
