"""exactly once: the terminal journal of each request, and a trigger that lets
terminal_payments change state only as app.core.payment_state.TRANSITIONS allows

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Issue 9 / 16. The allowed (from, to) pairs are written out here (a migration must not
change when the code does); tests/core/test_exactly_once_ledger.py checks they equal the
table. A state change outside them, a change of a request's ids, or a DELETE is refused
by SQLite itself, whoever writes to the file.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

STATE_CHANGES = (
    ('approved', 'refunded'), ('disputed_paid', 'refunded'), ('disputed_unpaid', 'failed'),
    ('failed', 'disputed_paid'), ('manual_paid', 'approved'), ('manual_paid', 'disputed_unpaid'),
    ('manual_paid', 'refunded'), ('manual_unpaid', 'disputed_paid'), ('manual_unpaid', 'failed'),
    ('manual_unpaid', 'refunded'), ('pending', 'approved'), ('pending', 'failed'), ('pending', 'unknown'),
    ('unknown', 'approved'), ('unknown', 'failed'), ('unknown', 'manual_paid'), ('unknown', 'manual_unpaid'),
    ('unknown', 'refunded'),
)


def _allowed_sql() -> str:
    return " OR ".join(f"(OLD.state = '{a}' AND NEW.state = '{b}')" for a, b in STATE_CHANGES)


def upgrade() -> None:
    op.add_column('terminal_payments', sa.Column('journal_id', sa.String(length=64), nullable=True))
    op.add_column('terminal_payments', sa.Column('checkout_key', sa.String(length=32), nullable=True))
    op.create_index('ix_terminal_payments_checkout_key', 'terminal_payments', ['checkout_key'])
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute(f"""
        CREATE TRIGGER terminal_payments_state_transition
        BEFORE UPDATE OF state ON terminal_payments
        WHEN OLD.state <> NEW.state AND NOT ({_allowed_sql()})
        BEGIN SELECT RAISE(ABORT, 'terminal_payments: state change not in the transition table'); END
    """)
    op.execute("""
        CREATE TRIGGER terminal_payments_ids_fixed
        BEFORE UPDATE OF transaction_id, service_id, kind, refund_of_id, amount_yen, journal_id ON terminal_payments
        WHEN OLD.transaction_id IS NOT NEW.transaction_id OR OLD.service_id IS NOT NEW.service_id
          OR OLD.kind IS NOT NEW.kind OR OLD.refund_of_id IS NOT NEW.refund_of_id
          OR OLD.amount_yen IS NOT NEW.amount_yen OR OLD.journal_id IS NOT NEW.journal_id
        BEGIN SELECT RAISE(ABORT, 'terminal_payments: a request keeps the ids it was sent with'); END
    """)
    op.execute("""
        CREATE TRIGGER terminal_payments_no_delete
        BEFORE DELETE ON terminal_payments
        BEGIN SELECT RAISE(ABORT, 'terminal_payments: rows are never deleted'); END
    """)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('terminal_payments_no_delete', 'terminal_payments_ids_fixed', 'terminal_payments_state_transition'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('ix_terminal_payments_checkout_key', 'terminal_payments')
    with op.batch_alter_table('terminal_payments', schema=None) as batch_op:
        batch_op.drop_column('checkout_key')
        batch_op.drop_column('journal_id')
