"""product codes

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-25

A product code (商品コード) identifies a product across CSV import and export (SPEC §8);
it is unique. Products that exist already get their id as their code.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=20), nullable=True))
    op.execute("UPDATE products SET code = CAST(id AS VARCHAR(20)) WHERE code IS NULL")
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_products_code'), ['code'])


def downgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_products_code'), type_='unique')
        batch_op.drop_column('code')
