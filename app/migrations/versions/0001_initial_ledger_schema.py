"""initial ledger schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21

Also installs the insert-only triggers on committed slips (SPEC §6): UPDATE and DELETE
on slips, slip_lines, slip_taxes and tenders are refused by the database itself.
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('color', sa.String(length=9), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories'))
    )
    op.create_table('registers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registers')),
    sa.UniqueConstraint('code', name=op.f('uq_registers_code'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint("role IN ('cashier', 'manager')", name=op.f('ck_staff_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff'))
    )
    op.create_table('audit_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('authorized_by_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=80), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['authorized_by_id'], ['staff.id'], name=op.f('fk_audit_records_authorized_by_id_staff')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_audit_records_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_records'))
    )
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_records_at'), ['at'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('price_yen', sa.Integer(), nullable=False),
    sa.Column('tax_class', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.CheckConstraint("tax_class IN ('food', 'standard')", name=op.f('ck_products_tax_class')),
    sa.CheckConstraint('price_yen >= 0', name=op.f('ck_products_price_nonnegative')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_products_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products'))
    )
    op.create_table('register_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('register_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('float_yen', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('float_yen >= 0', name=op.f('ck_register_sessions_float_nonnegative')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['staff.id'], name=op.f('fk_register_sessions_closed_by_id_staff')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['staff.id'], name=op.f('fk_register_sessions_opened_by_id_staff')),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_register_sessions_register_id_registers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_sessions'))
    )
    with op.batch_alter_table('register_sessions', schema=None) as batch_op:
        batch_op.create_index('uq_register_sessions_open', ['register_id'], unique=True, sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))

    op.create_table('float_counts',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('denomination_yen', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_float_counts_count_nonnegative')),
    sa.ForeignKeyConstraint(['session_id'], ['register_sessions.id'], name=op.f('fk_float_counts_session_id_register_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'denomination_yen', name=op.f('pk_float_counts'))
    )
    op.create_table('slips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('register_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('slip_number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('voids_slip_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('eat_in', sa.Boolean(), nullable=False),
    sa.Column('subtotal_yen', sa.Integer(), nullable=False),
    sa.Column('discount_yen', sa.Integer(), nullable=False),
    sa.Column('discount_label', sa.String(length=40), nullable=True),
    sa.Column('total_yen', sa.Integer(), nullable=False),
    sa.Column('cash_tendered_yen', sa.Integer(), nullable=False),
    sa.Column('change_yen', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('sale', 'void')", name=op.f('ck_slips_kind')),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_slips_register_id_registers')),
    sa.ForeignKeyConstraint(['session_id'], ['register_sessions.id'], name=op.f('fk_slips_session_id_register_sessions')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_slips_staff_id_staff')),
    sa.ForeignKeyConstraint(['voids_slip_id'], ['slips.id'], name=op.f('fk_slips_voids_slip_id_slips')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slips')),
    sa.UniqueConstraint('register_id', 'slip_number', name='uq_slips_register_number')
    )
    with op.batch_alter_table('slips', schema=None) as batch_op:
        batch_op.create_index('ix_slips_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_slips_voids_slip_id', ['voids_slip_id'], unique=False)

    op.create_table('drawer_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('slip_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_yen', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['register_sessions.id'], name=op.f('fk_drawer_movements_session_id_register_sessions')),
    sa.ForeignKeyConstraint(['slip_id'], ['slips.id'], name=op.f('fk_drawer_movements_slip_id_slips')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_drawer_movements_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drawer_movements'))
    )
    with op.batch_alter_table('drawer_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drawer_movements_session_id'), ['session_id'], unique=False)

    op.create_table('slip_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slip_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('unit_price_yen', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('discount_yen', sa.Integer(), nullable=False),
    sa.Column('discount_label', sa.String(length=40), nullable=True),
    sa.Column('tax_rate_percent', sa.Integer(), nullable=False),
    sa.Column('amount_yen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_slip_lines_product_id_products')),
    sa.ForeignKeyConstraint(['slip_id'], ['slips.id'], name=op.f('fk_slip_lines_slip_id_slips')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slip_lines'))
    )
    with op.batch_alter_table('slip_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slip_lines_slip_id'), ['slip_id'], unique=False)

    op.create_table('slip_taxes',
    sa.Column('slip_id', sa.Integer(), nullable=False),
    sa.Column('rate_percent', sa.Integer(), nullable=False),
    sa.Column('taxable_yen', sa.Integer(), nullable=False),
    sa.Column('tax_yen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['slip_id'], ['slips.id'], name=op.f('fk_slip_taxes_slip_id_slips')),
    sa.PrimaryKeyConstraint('slip_id', 'rate_percent', name=op.f('pk_slip_taxes'))
    )
    op.create_table('tenders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slip_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('tender_code', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('amount_yen', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.CheckConstraint("kind IN ('cash', 'other', 'terminal')", name=op.f('ck_tenders_kind')),
    sa.ForeignKeyConstraint(['slip_id'], ['slips.id'], name=op.f('fk_tenders_slip_id_slips')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenders'))
    )
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenders_slip_id'), ['slip_id'], unique=False)


    _install_insert_only_triggers()


def downgrade() -> None:
    _drop_insert_only_triggers()
    with op.batch_alter_table('tenders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenders_slip_id'))

    op.drop_table('tenders')
    op.drop_table('slip_taxes')
    with op.batch_alter_table('slip_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slip_lines_slip_id'))

    op.drop_table('slip_lines')
    with op.batch_alter_table('drawer_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drawer_movements_session_id'))

    op.drop_table('drawer_movements')
    with op.batch_alter_table('slips', schema=None) as batch_op:
        batch_op.drop_index('ix_slips_voids_slip_id')
        batch_op.drop_index('ix_slips_created_at')

    op.drop_table('slips')
    op.drop_table('float_counts')
    with op.batch_alter_table('register_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_register_sessions_open', sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))

    op.drop_table('register_sessions')
    op.drop_table('products')
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_records_at'))

    op.drop_table('audit_records')
    op.drop_table('staff')
    op.drop_table('settings')
    op.drop_table('registers')
    op.drop_table('categories')


INSERT_ONLY_TABLES = ("slips", "slip_lines", "slip_taxes", "tenders")


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
            op.execute(
                "CREATE OR REPLACE FUNCTION regi_insert_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'committed % are insert-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
            )
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
