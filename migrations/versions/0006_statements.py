"""statements: issued monthly sales statements

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 04:30:00

One row per sales statement issued to a producer (marketplace/models/statements.py): the
public verification code, period, totals and a SHA-256 of the canonical figures. New table
only, nothing back-filled.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('statement_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('sales_value', sa.BigInteger(), nullable=False),
    sa.Column('sales_online', sa.BigInteger(), nullable=False),
    sa.Column('sales_offline', sa.BigInteger(), nullable=False),
    sa.Column('transactions', sa.Integer(), nullable=False),
    sa.Column('figures_sha256', sa.String(length=64), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_statement_issues_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seller_id'], ['seller_profiles.id'], name=op.f('fk_statement_issues_seller_id_seller_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_issues')),
    sa.UniqueConstraint('code', name=op.f('uq_statement_issues_code'))
    )
    with op.batch_alter_table('statement_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_issues_seller_id'), ['seller_id'], unique=False)


def downgrade():
    with op.batch_alter_table('statement_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_issues_seller_id'))
    op.drop_table('statement_issues')
