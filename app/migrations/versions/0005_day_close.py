"""点検・精算 (R-CLOSE): settlements, their drawer counts, and the day-report index

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-25

``settlements`` and ``settlement_counts`` are insert-only (triggers, like slips): a 精算
is never edited or deleted, so a 精算番号 is never reused. ``ix_slips_session_report`` (covering
the figures it sums) and the partial ``ix_slip_lines_discounted`` keep the day's report a range
scan of one session on a ledger of years (SPEC §9).
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

INSERT_ONLY_TABLES = ("settlements", "settlement_counts")


def upgrade() -> None:
    op.create_table('settlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('register_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('settlement_number', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('authorized_by_id', sa.Integer(), nullable=False),
    sa.Column('expected_cash_yen', sa.Integer(), nullable=False),
    sa.Column('counted_cash_yen', sa.Integer(), nullable=False),
    sa.Column('difference_yen', sa.Integer(), nullable=False),
    sa.Column('difference_reason', sa.String(length=200), nullable=True),
    sa.Column('net_sales_yen', sa.Integer(), nullable=False),
    sa.Column('report', sa.Text(), nullable=False),
    sa.CheckConstraint('counted_cash_yen >= 0', name=op.f('ck_settlements_counted_nonnegative')),
    sa.ForeignKeyConstraint(['authorized_by_id'], ['staff.id'], name=op.f('fk_settlements_authorized_by_id_staff')),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_settlements_register_id_registers')),
    sa.ForeignKeyConstraint(['session_id'], ['register_sessions.id'], name=op.f('fk_settlements_session_id_register_sessions')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_settlements_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlements')),
    sa.UniqueConstraint('register_id', 'settlement_number', name='uq_settlements_register_number'),
    sa.UniqueConstraint('session_id', name=op.f('uq_settlements_session_id'))
    )
    with op.batch_alter_table('settlements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlements_closed_at'), ['closed_at'], unique=False)

    op.create_table('settlement_counts',
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('denomination_yen', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_settlement_counts_count_nonnegative')),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlements.id'], name=op.f('fk_settlement_counts_settlement_id_settlements')),
    sa.PrimaryKeyConstraint('settlement_id', 'denomination_yen', name=op.f('pk_settlement_counts'))
    )
    # A plain CREATE INDEX: no batch rebuild of the (large, insert-only) slips table.
    op.create_index('ix_slips_session_report', 'slips', ['session_id', 'kind', 'staff_id', 'created_at', 'total_yen',
                                                         'discount_yen', 'change_yen', 'eat_in'], unique=False)
    op.create_index('ix_slip_lines_discounted', 'slip_lines', ['slip_id'], unique=False,
                    sqlite_where=sa.text('discount_yen <> 0'), postgresql_where=sa.text('discount_yen <> 0'))
    _install_insert_only_triggers()


def downgrade() -> None:
    _drop_insert_only_triggers()
    op.drop_index('ix_slip_lines_discounted', table_name='slip_lines')
    op.drop_index('ix_slips_session_report', table_name='slips')
    op.drop_table('settlement_counts')
    with op.batch_alter_table('settlements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlements_closed_at'))
    op.drop_table('settlements')


def _install_insert_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for table in INSERT_ONLY_TABLES:
        if dialect == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'committed {table} are insert-only'); END"
                )
        elif dialect == "postgresql":
            # regi_insert_only() is created by migration 0001.
            op.execute(
                f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION regi_insert_only()"
            )


def _drop_insert_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for table in INSERT_ONLY_TABLES:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        elif dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table}")
