"""ledger, payouts, settlement settings and producers' bank details

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 03:33:32.706802

Settlement (marketplace/services/ledger.py and payouts.py): an append-only ledger per
producer, payout batches and payouts, a one-row settings table, and bank details plus a
commission override on seller_profiles. The partial unique indexes (one sale entry per
producer's part, one unsent payout per producer) work on SQLite and PostgreSQL alike.
Existing producers start with empty bank details and no override; nothing is back-filled.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('marketplace_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commission_bps', sa.Integer(), nullable=False),
    sa.Column('hold_until_delivered', sa.Boolean(), nullable=False),
    sa.Column('payout_minimum', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('commission_bps BETWEEN 0 AND 10000', name=op.f('ck_marketplace_settings_commission_range')),
    sa.CheckConstraint('payout_minimum >= 0', name=op.f('ck_marketplace_settings_payout_minimum_not_negative')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_marketplace_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marketplace_settings'))
    )
    op.create_table('payout_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('minimum', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payout_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_batches'))
    )
    with op.batch_alter_table('payout_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_batches_created_at'), ['created_at'], unique=False)

    op.create_table('payouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'cancelled', name='payout_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('bank_name', sa.String(length=60), nullable=False),
    sa.Column('account_number', sa.String(length=30), nullable=False),
    sa.Column('account_holder', sa.String(length=120), nullable=False),
    sa.Column('bank_reference', sa.String(length=60), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payouts_amount_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batches.id'], name=op.f('fk_payouts_batch_id_payout_batches')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_payouts_cancelled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seller_id'], ['seller_profiles.id'], name=op.f('fk_payouts_seller_id_seller_profiles')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_payouts_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payouts'))
    )
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payouts_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_payouts_one_pending_per_seller', ['seller_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.create_index(batch_op.f('ix_payouts_seller_id'), ['seller_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('sale', 'reversal', 'payout', 'payout_cancelled', 'adjustment', name='ledger_entry_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('gross', sa.Integer(), nullable=False),
    sa.Column('commission', sa.Integer(), nullable=False),
    sa.Column('commission_bps', sa.Integer(), nullable=False),
    sa.Column('seller_order_id', sa.Integer(), nullable=True),
    sa.Column('payout_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('commission_bps BETWEEN 0 AND 10000', name=op.f('ck_ledger_entries_commission_range')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ledger_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['payout_id'], ['payouts.id'], name=op.f('fk_ledger_entries_payout_id_payouts')),
    sa.ForeignKeyConstraint(['seller_id'], ['seller_profiles.id'], name=op.f('fk_ledger_entries_seller_id_seller_profiles')),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_orders.id'], name=op.f('fk_ledger_entries_seller_order_id_seller_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_one_sale_per_part', ['seller_order_id'], unique=True, sqlite_where=sa.text("kind = 'sale'"), postgresql_where=sa.text("kind = 'sale'"))
        batch_op.create_index(batch_op.f('ix_ledger_entries_payout_id'), ['payout_id'], unique=False)
        batch_op.create_index('ix_ledger_entries_seller_created', ['seller_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_seller_order_id'), ['seller_order_id'], unique=False)

    with op.batch_alter_table('seller_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_name', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('bank_account_number', sa.String(length=30), server_default='', nullable=False))
        batch_op.add_column(sa.Column('bank_account_holder', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('commission_bps', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('seller_profiles', schema=None) as batch_op:
        batch_op.drop_column('commission_bps')
        batch_op.drop_column('bank_account_holder')
        batch_op.drop_column('bank_account_number')
        batch_op.drop_column('bank_name')

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_seller_order_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_seller_id'))
        batch_op.drop_index('ix_ledger_entries_seller_created')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_payout_id'))
        batch_op.drop_index('ix_ledger_entries_one_sale_per_part', sqlite_where=sa.text("kind = 'sale'"), postgresql_where=sa.text("kind = 'sale'"))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payouts_seller_id'))
        batch_op.drop_index('ix_payouts_one_pending_per_seller', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_payouts_batch_id'))

    op.drop_table('payouts')
    with op.batch_alter_table('payout_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_batches_created_at'))

    op.drop_table('payout_batches')
    op.drop_table('marketplace_settings')
