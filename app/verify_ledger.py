"""``regi verify-ledger [--db URL | --data-dir DIR]``: check the hash chain of slips and
audit records (issue 9, SPEC §6) and name the first record that was altered.

Read-only: the ledger is not migrated or changed. Exit status 0 = intact, 1 = altered,
2 = no ledger there (or one this Regi cannot read).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.orm import Session


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from platformdirs import user_data_dir

    parser = argparse.ArgumentParser(prog="regi verify-ledger", description="台帳のハッシュチェーンを検証します")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data-dir", type=Path, default=Path(user_data_dir("regi", appauthor=False)),
                       help="folder of the ledger database (default: the per-user data dir)")
    where.add_argument("--db", help="SQLAlchemy URL of the ledger")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from app.core.ledger import chain
    from app.core.ledger.db import HEAD_REVISION, create_ledger_engine, current_revision
    from app.core.ledger.files import sqlite_file

    args = parse_args(argv)
    url = args.db or f"sqlite:///{args.data_dir / 'regi.db'}"
    path = sqlite_file(url)
    if path is not None and not path.exists():
        print(f"台帳がありません: {path}", file=sys.stderr)
        return 2
    engine = create_ledger_engine(url)
    try:
        revision = current_revision(engine)
        if revision != HEAD_REVISION:
            print(f"この台帳(版 {revision})は検証できません。Regi を一度起動して移行してください(版 {HEAD_REVISION})。",
                  file=sys.stderr)
            return 2
        with Session(engine) as db:
            report = chain.verify(db)
    finally:
        engine.dispose()
    if report.problem is not None:
        print(f"改ざんがあります: {report.problem}")
        print(f"({report.checked} 件は正常でした)")
        return 1
    older = f"、チェーン導入前の {report.not_covered} 件は対象外" if report.not_covered else ""
    print(f"正常です: {report.checked} 件の記録を検証しました{older}。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
