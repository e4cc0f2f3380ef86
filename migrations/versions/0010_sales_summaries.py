"""sales summaries: monthly sales per seller and per category, and paid parts' links

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 18:34:41

The unfiltered programme dashboard reads a year as seller-months instead of every sale, and counts
distinct orders and buyers from each paid part's links (services/sales_summary.py keeps them exact).
Filled from the existing sales by `rebuild_all`, the same code `flask rebuild-sales-summaries` runs.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _figures():
    return [sa.Column('online_value', sa.BigInteger(), nullable=False),
            sa.Column('online_transactions', sa.Integer(), nullable=False),
            sa.Column('offline_value', sa.BigInteger(), nullable=False),
            sa.Column('offline_transactions', sa.Integer(), nullable=False),
            sa.Column('outside_value', sa.BigInteger(), nullable=False)]


def upgrade():
    # Keyed by month first and, on SQLite, stored in key order (WITHOUT ROWID): a year is one range.
    op.create_table('monthly_seller_sales',
                    sa.Column('month', sa.String(length=7), nullable=False),
                    sa.Column('seller_id', sa.Integer(), nullable=False),
                    *_figures(),
                    sa.PrimaryKeyConstraint('month', 'seller_id', name=op.f('pk_monthly_seller_sales')),
                    sqlite_with_rowid=False)
    op.create_index('ix_monthly_seller_sales_seller_id', 'monthly_seller_sales', ['seller_id'])
    op.create_table('monthly_seller_category_sales',
                    sa.Column('month', sa.String(length=7), nullable=False),
                    sa.Column('seller_id', sa.Integer(), nullable=False),
                    sa.Column('category_id', sa.Integer(), nullable=False),
                    *_figures(),
                    sa.PrimaryKeyConstraint('month', 'seller_id', 'category_id',
                                            name=op.f('pk_monthly_seller_category_sales')),
                    sqlite_with_rowid=False)
    op.create_index('ix_monthly_seller_category_sales_seller_id', 'monthly_seller_category_sales', ['seller_id'])
    op.create_table('paid_part_links',
                    sa.Column('seller_order_id', sa.Integer(), nullable=False),
                    sa.Column('order_id', sa.Integer(), nullable=False),
                    sa.Column('buyer_key', sa.BigInteger(), nullable=True),
                    sa.Column('confirmed_at', sa.DateTime(), nullable=False),
                    sa.Column('prev_order_at', sa.DateTime(), nullable=True),
                    sa.Column('prev_buyer_at', sa.DateTime(), nullable=True),
                    sa.Column('second_order_at', sa.DateTime(), nullable=True),
                    sa.PrimaryKeyConstraint('seller_order_id', name=op.f('pk_paid_part_links')))
    op.create_index(op.f('ix_paid_part_links_buyer_key'), 'paid_part_links', ['buyer_key'])
    op.create_index('ix_paid_part_links_period', 'paid_part_links',
                    ['confirmed_at', 'prev_order_at', 'prev_buyer_at', 'second_order_at', 'buyer_key'])

    from marketplace.services.sales_summary import rebuild_all
    rebuild_all(op.get_bind())


def downgrade():
    op.drop_table('paid_part_links')
    op.drop_table('monthly_seller_category_sales')
    op.drop_table('monthly_seller_sales')
