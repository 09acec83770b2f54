"""terminal payments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

Every terminal request is a row committed before it is sent (SPEC §6, R-RECON).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('terminal_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('refund_of_id', sa.Integer(), nullable=True),
    sa.Column('register_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('profile', sa.String(length=16), nullable=False),
    sa.Column('requested_method', sa.String(length=16), nullable=True),
    sa.Column('amount_yen', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('poi_transaction_id', sa.String(length=40), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=True),
    sa.Column('brand', sa.String(length=32), nullable=True),
    sa.Column('card_last4', sa.String(length=4), nullable=True),
    sa.Column('entry_mode', sa.String(length=16), nullable=True),
    sa.Column('approval_number', sa.String(length=16), nullable=True),
    sa.Column('terminal_status', sa.String(length=24), nullable=True),
    sa.Column('error_condition', sa.String(length=24), nullable=True),
    sa.Column('error_code', sa.String(length=16), nullable=True),
    sa.Column('error_message', sa.String(length=200), nullable=True),
    sa.Column('slip_data', sa.Text(), nullable=True),
    sa.Column('slip_prints', sa.Integer(), nullable=False),
    sa.Column('resolution', sa.String(length=200), nullable=True),
    sa.CheckConstraint("kind IN ('payment', 'refund')", name=op.f('ck_terminal_payments_kind')),
    sa.CheckConstraint('amount_yen > 0', name=op.f('ck_terminal_payments_amount_positive')),
    sa.ForeignKeyConstraint(['refund_of_id'], ['terminal_payments.id'], name=op.f('fk_terminal_payments_refund_of_id_terminal_payments')),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_terminal_payments_register_id_registers')),
    sa.ForeignKeyConstraint(['session_id'], ['register_sessions.id'], name=op.f('fk_terminal_payments_session_id_register_sessions')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_terminal_payments_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terminal_payments')),
    sa.UniqueConstraint('transaction_id', name=op.f('uq_terminal_payments_transaction_id'))
    )
    with op.batch_alter_table('terminal_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terminal_payments_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_terminal_payments_poi_transaction_id'), ['poi_transaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_terminal_payments_refund_of_id'), ['refund_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_terminal_payments_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_terminal_payments_state'), ['state'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('terminal_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terminal_payments_state'))
        batch_op.drop_index(batch_op.f('ix_terminal_payments_session_id'))
        batch_op.drop_index(batch_op.f('ix_terminal_payments_refund_of_id'))
        batch_op.drop_index(batch_op.f('ix_terminal_payments_poi_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_terminal_payments_created_at'))

    op.drop_table('terminal_payments')

