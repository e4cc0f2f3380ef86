"""indicator indexes: covering indexes for the programme indicators and producers' statements

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 10:20:00

The indicators scan paid producer parts by confirmation time and read their lines' values;
statements read one producer's paid parts by time. Two of the new indexes replace narrower
ones they start with (payment_confirmed_at; seller_order_id), so no lookup loses an index.
Index changes only (no table rebuild on SQLite), nothing back-filled.
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_seller_orders_confirmed_sales', 'seller_orders',
                    ['payment_confirmed_at', 'status', 'seller_id', 'order_id', 'delivery_method'], unique=False)
    op.create_index('ix_seller_orders_seller_confirmed', 'seller_orders', ['seller_id', 'payment_confirmed_at'],
                    unique=False)
    op.drop_index('ix_seller_orders_payment_confirmed_at', table_name='seller_orders')
    op.create_index('ix_order_lines_part_values', 'order_lines',
                    ['seller_order_id', 'product_id', 'unit_price', 'quantity', 'refunded_amount'], unique=False)
    op.drop_index('ix_order_lines_seller_order_id', table_name='order_lines')


def downgrade():
    op.create_index('ix_order_lines_seller_order_id', 'order_lines', ['seller_order_id'], unique=False)
    op.drop_index('ix_order_lines_part_values', table_name='order_lines')
    op.create_index('ix_seller_orders_payment_confirmed_at', 'seller_orders', ['payment_confirmed_at'], unique=False)
    op.drop_index('ix_seller_orders_seller_confirmed', table_name='seller_orders')
    op.drop_index('ix_seller_orders_confirmed_sales', table_name='seller_orders')
