"""programme evidence: exhibitions and offline sales

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 04:05:42.188729

Exhibition events (pameran, bazaar) and offline sales recorded by producers or officers
(marketplace/models/programme.py). Offline sales are corrected by voiding and re-recording,
never updated, so nothing is back-filled. The (seller_id, sale_date) and sale_date indexes
serve the indicator queries in marketplace/services/indicators.py.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exhibition_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_exhibition_events_dates_ordered')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exhibition_events_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exhibition_events'))
    )
    with op.batch_alter_table('exhibition_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exhibition_events_start_date'), ['start_date'], unique=False)

    op.create_table('offline_sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('sale_date', sa.Date(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('corrected_from_id', sa.Integer(), nullable=True),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.Column('voided_by_id', sa.Integer(), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=False),
    sa.CheckConstraint('quantity IS NULL OR quantity > 0', name=op.f('ck_offline_sales_quantity_positive')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_offline_sales_value_not_negative')),
    sa.ForeignKeyConstraint(['corrected_from_id'], ['offline_sales.id'], name=op.f('fk_offline_sales_corrected_from_id_offline_sales'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['exhibition_events.id'], name=op.f('fk_offline_sales_event_id_exhibition_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_offline_sales_product_id_products'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_offline_sales_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seller_id'], ['seller_profiles.id'], name=op.f('fk_offline_sales_seller_id_seller_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['voided_by_id'], ['users.id'], name=op.f('fk_offline_sales_voided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_sales'))
    )
    with op.batch_alter_table('offline_sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_sales_corrected_from_id'), ['corrected_from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offline_sales_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_offline_sales_sale_date', ['sale_date'], unique=False)
        batch_op.create_index('ix_offline_sales_seller_date', ['seller_id', 'sale_date'], unique=False)



def downgrade():
    with op.batch_alter_table('offline_sales', schema=None) as batch_op:
        batch_op.drop_index('ix_offline_sales_seller_date')
        batch_op.drop_index('ix_offline_sales_sale_date')
        batch_op.drop_index(batch_op.f('ix_offline_sales_event_id'))
        batch_op.drop_index(batch_op.f('ix_offline_sales_corrected_from_id'))

    op.drop_table('offline_sales')
    with op.batch_alter_table('exhibition_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exhibition_events_start_date'))

    op.drop_table('exhibition_events')
