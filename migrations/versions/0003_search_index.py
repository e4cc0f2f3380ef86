"""search index, products.sold_count and covering indexes for listings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 03:40:00

`search_documents` holds the prepared text of each public product (see
marketplace/services/search.py). SQLite indexes it with an FTS5 table kept in step by
triggers; PostgreSQL with a generated tsvector column and a GIN index. Existing
databases get an empty index: run `flask search-reindex` once after upgrading.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

PG_VECTOR = (
    "setweight(to_tsvector('simple', coalesce(name_terms, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(body_terms, '')), 'B')"
)


def upgrade():
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sold_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_products_status_seller', ['status', 'seller_id'], unique=False)
        batch_op.create_index('ix_products_status_category_seller', ['status', 'category_id', 'seller_id'],
                              unique=False)

    op.create_table(
        'search_documents',
        sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('name_terms', sa.Text(), nullable=False),
        sa.Column('body_terms', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_search_documents_product_id_products'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', name=op.f('pk_search_documents')),
    )

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        # A regular (not external-content) FTS5 table: deleting by rowid never depends on
        # the old text, so it cannot get out of step with search_documents.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "name_terms, body_terms, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
        )
        op.execute(
            "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
            "INSERT INTO search_fts(rowid, name_terms, body_terms) "
            "VALUES (new.product_id, new.name_terms, new.body_terms); END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
            "DELETE FROM search_fts WHERE rowid = old.product_id; END"
        )
        op.execute(
            "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
            "DELETE FROM search_fts WHERE rowid = old.product_id; "
            "INSERT INTO search_fts(rowid, name_terms, body_terms) "
            "VALUES (new.product_id, new.name_terms, new.body_terms); END"
        )
    elif dialect == 'postgresql':
        op.execute(f"ALTER TABLE search_documents ADD COLUMN search_vector tsvector "
                   f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED")
        op.execute("CREATE INDEX ix_search_documents_search_vector ON search_documents USING gin (search_vector)")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for trigger in ('search_documents_ai', 'search_documents_ad', 'search_documents_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_documents')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_status_category_seller')
        batch_op.drop_index('ix_products_status_seller')
        batch_op.drop_column('sold_count')
