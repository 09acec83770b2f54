"""locked ledger: history triggers and the hash chain of facts

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25

Issue 9, SPEC §6. Installs database triggers so that history cannot be rewritten:

- ``audit_records``, ``drawer_movements``, ``float_counts``: insert-only (UPDATE and
  DELETE refused).
- ``register_sessions``: no DELETE; the only UPDATE allowed is closing an open session
  once (``closed_at`` and ``closed_by_id`` set from NULL, every other column unchanged).
- ``staff``: no DELETE (slips, sessions and audit records name staff rows; a leaver is
  made ``active = 0``); UPDATE is allowed — the back office changes passwords, roles, names
  and order, and login keeps its lockout counters there — except of ``id``. What protects a
  staff change is the audit record the app writes with it, which is itself insert-only
  and chained.
- ``register_sequences`` (new): no DELETE; ``last_seq`` only grows by exactly one.

Adds the fact columns to ``slips`` and ``audit_records`` (``shop_id``, ``register_id`` on
audit, ``uid``, ``seq``, ``prev_hash``, ``row_hash``; NULL on rows written before) and
``register_sequences``, the per-register commit sequence and head of the hash chain.

Trap for later migrations: a batch rebuild of a table (SQLite) drops its triggers; such a
migration must install them again.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

INSERT_ONLY = ("audit_records", "drawer_movements", "float_counts")
FACT_TABLES = ("slips", "audit_records")

SESSION_CLOSE_ONLY = (
    "OLD.closed_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_by_id IS NOT NULL"
    " AND NEW.id = OLD.id AND NEW.register_id = OLD.register_id AND NEW.opened_at = OLD.opened_at"
    " AND NEW.opened_by_id = OLD.opened_by_id AND NEW.float_yen = OLD.float_yen"
)
SEQUENCE_STEP = "NEW.register_id = OLD.register_id AND NEW.last_seq IN (OLD.last_seq, OLD.last_seq + 1)"
STAFF_KEEPS_ID = "NEW.id = OLD.id"

# (table, event, allowed-when condition or None for never, message)
RULES = (
    *((t, "UPDATE", None, f"{t} are insert-only") for t in INSERT_ONLY),
    *((t, "DELETE", None, f"{t} are insert-only") for t in INSERT_ONLY),
    ("register_sessions", "UPDATE", SESSION_CLOSE_ONLY, "a register session may only be closed, once"),
    ("register_sessions", "DELETE", None, "register sessions are never deleted"),
    ("staff", "UPDATE", STAFF_KEEPS_ID, "a staff id never changes"),
    ("staff", "DELETE", None, "staff are never deleted (set active = 0)"),
    ("register_sequences", "UPDATE", SEQUENCE_STEP, "the commit sequence only grows by one"),
    ("register_sequences", "DELETE", None, "the commit sequence is never deleted"),
)


def _name(table: str, event: str) -> str:
    return f"{table}_guard_{event.lower()}"


def upgrade() -> None:
    op.create_table('register_sequences',
    sa.Column('register_id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_register_sequences_register_id_registers')),
    sa.PrimaryKeyConstraint('register_id', name=op.f('pk_register_sequences'))
    )
    # Plain ADD COLUMN (no batch rebuild): the insert-only triggers of 0001 stay in place.
    op.add_column('audit_records', sa.Column('register_id', sa.Integer(), nullable=True))
    for table in FACT_TABLES:
        op.add_column(table, sa.Column('shop_id', sa.String(length=36), nullable=True))
        op.add_column(table, sa.Column('uid', sa.String(length=36), nullable=True))
        op.add_column(table, sa.Column('seq', sa.Integer(), nullable=True))
        op.add_column(table, sa.Column('prev_hash', sa.String(length=64), nullable=True))
        op.add_column(table, sa.Column('row_hash', sa.String(length=64), nullable=True))
        op.create_index(f'uq_{table}_register_seq', table, ['register_id', 'seq'], unique=True)
        op.create_index(f'uq_{table}_uid', table, ['uid'], unique=True)
    _install_triggers()


def downgrade() -> None:
    _drop_triggers()
    for table in FACT_TABLES:
        op.drop_index(f'uq_{table}_uid', table_name=table)
        op.drop_index(f'uq_{table}_register_seq', table_name=table)
        for column in ('row_hash', 'prev_hash', 'seq', 'uid', 'shop_id'):
            op.drop_column(table, column)  # SQLite ≥ 3.35: no rebuild, triggers of 0001 kept
    op.drop_column('audit_records', 'register_id')
    op.drop_table('register_sequences')


def _install_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for table, event, allowed, message in RULES:
        if dialect == "sqlite":
            when = f" WHEN NOT ({allowed})" if allowed else ""
            op.execute(f"CREATE TRIGGER {_name(table, event)} BEFORE {event} ON {table}{when} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
        elif dialect == "postgresql":
            function = f"regi_{_name(table, event)}"
            check = (f"IF {allowed} THEN RETURN NEW; END IF; " if allowed else "")
            op.execute(f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ "
                       f"BEGIN {check}RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql")
            op.execute(f"CREATE TRIGGER {_name(table, event)} BEFORE {event} ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION {function}()")


def _drop_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for table, event, _allowed, _message in RULES:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {_name(table, event)}")
        elif dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {_name(table, event)} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS regi_{_name(table, event)}()")
