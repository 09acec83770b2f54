"""A new SQLite ledger in one step: the models' tables, the insert-only triggers and the
head revision stamped — what running every migration produces, without loading alembic
(about a third of a shop's first start).

Trap: this must stay equivalent to the migrations. tests/core/test_fresh_ledger.py compares
a ledger made here with one made by the migrations (tables, columns, indexes, foreign keys,
checks, triggers, rows); a migration that adds triggers or rows must be mirrored here.
"""
from __future__ import annotations

from sqlalchemy import Connection

INSERT_ONLY_TABLES = ("slips", "slip_lines", "slip_taxes", "tenders")  # as in migration 0001


def create_fresh_ledger(connection: Connection, head: str) -> None:
    """Create the whole schema at revision ``head`` on an empty SQLite database (caller commits)."""
    from app.core.ledger.models import Base

    Base.metadata.create_all(connection)
    for table in INSERT_ONLY_TABLES:
        for verb in ("UPDATE", "DELETE"):
            connection.exec_driver_sql(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'committed {table} are insert-only'); END"
            )
    # alembic's own version table, as `alembic stamp` makes it
    connection.exec_driver_sql(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
    )
    connection.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES (?)", (head,))
