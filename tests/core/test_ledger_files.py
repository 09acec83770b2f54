"""Issue 9 (locked down): the ledger's files are 0600 in a 0700 data dir."""
import os
import stat

from sqlalchemy import text

from app.core.demo import seed_demo
from app.core.ledger.files import secure_data_dir, sqlite_file
from app.core.ledger.ledger import Ledger


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_ledger_is_0600_in_a_0700_dir(tmp_path):
    old_umask = os.umask(0o022)          # what a desktop session usually has
    try:
        data_dir = secure_data_dir(tmp_path / "regi")
        ledger = Ledger(f"sqlite:///{data_dir / 'regi.db'}")
        seed_demo(ledger)
        with ledger.session() as db:     # keep a connection open: -wal and -shm exist now
            db.execute(text("SELECT count(*) FROM staff")).scalar()
            files = sorted(p.name for p in data_dir.iterdir())
            assert files == ["regi.db", "regi.db-shm", "regi.db-wal"]
            assert {name: mode(data_dir / name) for name in files} == dict.fromkeys(files, 0o600)
        ledger.dispose()
    finally:
        os.umask(old_umask)
    assert mode(data_dir) == 0o700


def test_loose_existing_files_are_tightened(tmp_path):
    data_dir = tmp_path / "regi"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    Ledger(f"sqlite:///{data_dir / 'regi.db'}").dispose()
    (data_dir / "regi.db").chmod(0o644)           # e.g. a ledger made by an older Regi
    secure_data_dir(data_dir)
    ledger = Ledger(f"sqlite:///{data_dir / 'regi.db'}")
    with ledger.session() as db:
        db.execute(text("SELECT count(*) FROM staff")).scalar()
        assert {p.name: mode(p) for p in data_dir.iterdir()} == dict.fromkeys(
            ["regi.db", "regi.db-wal", "regi.db-shm"], 0o600)
    ledger.dispose()
    assert mode(data_dir) == 0o700


def test_only_sqlite_files_are_touched():
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql+psycopg://u:p@h/db") is None
    assert str(sqlite_file("sqlite:////var/lib/regi/regi.db")) == "/var/lib/regi/regi.db"
