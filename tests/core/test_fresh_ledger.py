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
