"""popular products index: the most sold public products without sorting them all

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 17:00:00

The home page and the "popular" sort ask for public products by sold_count; without an index
PostgreSQL sorted every public product for each page (~70 ms at 100,000 products). Index only,
no table rebuild on SQLite, nothing back-filled.
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_products_status_sold_count', 'products', ['status', 'sold_count', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_products_status_sold_count', table_name='products')
