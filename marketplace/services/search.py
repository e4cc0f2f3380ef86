"""Full-text product search in Indonesian, on SQLite FTS5 or PostgreSQL full-text search.

The text is prepared in Python so both engines see exactly the same words: lower-cased,
accents stripped, split into letters-and-digits words, and each word stored beside its
Sastrawi stem ("anyaman" -> "anyaman anyam", "kerajinan" -> "kerajinan rajin"). One
`search_documents` row per public product holds the product's name words (ranked higher)
and the rest: description, tags, category, producer name and kecamatan.

A query is cleaned the same way into plain words (no quotes or operators ever reach the
engine); every word must match as a prefix, either itself or its stem: "kera" finds
"kerajinan", "anyaman" finds "menganyam" (stem "anyam"). SQLite ranks with bm25 on the
FTS5 table `search_fts`; PostgreSQL with ts_rank on a generated tsvector column with a
GIN index. Both give name words ten times the weight of the rest.

A plain search counts its matches only up to RANKED_CANDIDATES (beyond, the page says "more
than 2,000") and ranks only the newest RANKED_CANDIDATES, so its cost does not grow with the
number of matches. On PostgreSQL common words are found by walking the primary key backwards
and rarer ones through the GIN index, chosen from a sample of the newest documents.

The index follows product, producer, category and tag changes through a session
`after_flush` hook, in the same transaction; `rebuild_search_index` rebuilds it all
(bulk loads, `flask search-reindex`).
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Float, Integer, delete, event, insert, inspect, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased

from marketplace.models import (
    Category, Product, ProductStatus, SearchDocument, SellerProfile, SellerStatus, Tag, product_tags,
)
from marketplace.regions import kecamatan_name

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 40
MIN_STEM_LENGTH = 3
NAME_WEIGHT = 10.0
BODY_WEIGHT = 1.0
_BATCH = 1000
_WORD = re.compile(r"[a-z0-9]+")


# ---- text preparation -----------------------------------------------------------------------

def normalise_words(value: str | None) -> list[str]:
    """Lower-case, accent-free words of letters and digits: "Kafé-Batik!" -> ["kafe", "batik"]."""
    if not value:
        return []
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return [w[:MAX_WORD_LENGTH] for w in _WORD.findall(plain)]


@functools.lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    from Sastrawi.Stemmer.Stemmer import Stemmer

    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


@functools.lru_cache(maxsize=50_000)  # bounded, unlike Sastrawi's own cache
def stem(word: str) -> str:
    """The Sastrawi stem of one normalised word; words with digits are kept as they are."""
    if not word.isalpha() or len(word) <= MIN_STEM_LENGTH:
        return word
    stemmed = _stemmer().stem(word)
    return stemmed if len(stemmed) >= MIN_STEM_LENGTH and _WORD.fullmatch(stemmed) else word


def index_terms(*values: str | None) -> str:
    """The indexed text of some fields: each word, followed by its stem when that differs."""
    terms: list[str] = []
    for value in values:
        for word in normalise_words(value):
            terms.append(word)
            root = stem(word)
            if root != word:
                terms.append(root)
    return " ".join(terms)


# ---- queries --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParsedQuery:
    """A search cleaned into groups of alternatives; every group must match (as a prefix)."""

    groups: tuple[tuple[str, ...], ...]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def fts5(self) -> str:
        """FTS5 MATCH text: ("anyaman"* OR "anyam"*) AND ("tas"*)."""
        return " AND ".join("(" + " OR ".join(f'"{t}"*' for t in g) + ")" for g in self.groups)

    def tsquery(self) -> str:
        """PostgreSQL to_tsquery text: (anyaman:* | anyam:*) & (tas:*)."""
        return " & ".join("(" + " | ".join(f"{t}:*" for t in g) + ")" for g in self.groups)


def parse_query(raw: str | None) -> ParsedQuery:
    """Turn what a person typed into plain prefix terms; quotes, operators and symbols vanish.

    One-letter words are dropped (they would match almost everything); at most
    MAX_QUERY_WORDS words of the first MAX_QUERY_LENGTH characters are used.
    """
    groups: list[tuple[str, ...]] = []
    for word in normalise_words((raw or "")[:MAX_QUERY_LENGTH]):
        if len(word) < 2 and not word.isdigit():
            continue
        root = stem(word)
        # A stem that starts the word matches everything the word does, and more.
        group = (root,) if word.startswith(root) else (word, root)
        if group not in groups:
            groups.append(group)
        if len(groups) == MAX_QUERY_WORDS:
            break
    return ParsedQuery(tuple(groups))


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def matches(session: Session, query: ParsedQuery):
    """A CTE of (product_id, rank) for the products matching `query`; lower rank is better."""
    if is_postgres(session):
        # ts_rank weights are {D, C, B, A}: the name (A) counts ten times the rest (B).
        statement = text(
            "SELECT product_id, -ts_rank('{0.1, 0.1, 0.1, 1.0}', search_vector, to_tsquery('simple', :match)) AS rank "
            "FROM search_documents WHERE search_vector @@ to_tsquery('simple', :match)"
        )
    else:
        statement = text(
            f"SELECT rowid AS product_id, bm25(search_fts, {NAME_WEIGHT}, {BODY_WEIGHT}) AS rank "
            "FROM search_fts WHERE search_fts MATCH :match"
        )
    match = query.tsquery() if is_postgres(session) else query.fts5()
    # MATERIALIZED: run the full-text match once, then join; otherwise SQLite's planner may
    # loop over products and repeat the match for each one.
    return statement.bindparams(match=match).columns(product_id=Integer, rank=Float).cte("matches") \
        .prefix_with("MATERIALIZED")


# A plain search counts its matches only up to RANKED_CANDIDATES and ranks (bm25 / ts_rank)
# only the newest RANKED_CANDIDATES matches: counting or scoring every match of a one-word
# search over 100,000 products costs more than a page may take, and the newest matches are
# the likeliest wanted. Beyond the cap the page says "more than 2,000" and pages stop there.
RANKED_CANDIDATES = 2000

# PostgreSQL picks how to find the newest matches from a sample of the newest SAMPLE_ROWS
# documents. When matches are common, walking the primary key backwards finds them after
# reading a few thousand rows (at most MAX_WALK_ROWS); otherwise reading every match through
# the GIN index is cheaper. Only the speed depends on the choice, never the results.
SAMPLE_ROWS = 1000
MAX_WALK_ROWS = 30_000


def _match_sql(session: Session) -> tuple[str, str, str]:
    """(table, match condition, rank expression) for this engine; `:match` is the query text."""
    if is_postgres(session):
        return ("search_documents", "search_vector @@ to_tsquery('simple', :match)",
                "-ts_rank('{0.1, 0.1, 0.1, 1.0}', search_vector, to_tsquery('simple', :match))")
    return ("search_fts", "search_fts MATCH :match", f"bm25(search_fts, {NAME_WEIGHT}, {BODY_WEIGHT})")


def _match_text(session: Session, query: ParsedQuery) -> str:
    return query.tsquery() if is_postgres(session) else query.fts5()


@contextmanager
def _prefer_index(session: Session):
    """On PostgreSQL, keep the enclosed statements off sequential scans.

    For a common prefix the planner guesses that a sequential scan beats the index, and at
    100,000 products it is several times wrong.
    """
    if not is_postgres(session):
        yield
        return
    session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        yield
    finally:
        session.execute(text("SET LOCAL enable_seqscan TO DEFAULT"))


def count(session: Session, query: ParsedQuery) -> int:
    """How many public products match, counted up to RANKED_CANDIDATES + 1 (one query).

    A result above RANKED_CANDIDATES means "more than RANKED_CANDIDATES".
    """
    table, condition, _rank = _match_sql(session)
    with _prefer_index(session):
        return session.scalar(text(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {condition} LIMIT :over) AS s"),
                              {"match": _match_text(session, query), "over": RANKED_CANDIDATES + 1}) or 0


def ranked_ids(session: Session, query: ParsedQuery, limit: int, offset: int = 0) -> list[int]:
    """One page of the newest RANKED_CANDIDATES matches, best first (one query)."""
    if offset >= RANKED_CANDIDATES:
        return []
    _table, condition, rank = _match_sql(session)
    params = {"match": _match_text(session, query), "cap": RANKED_CANDIDATES,
              "limit": min(limit, RANKED_CANDIDATES - offset), "offset": offset}
    if is_postgres(session):
        with _prefer_index(session):
            return _pg_from_index(session, params)[1]
    return list(session.scalars(text(
        f"SELECT id FROM (SELECT rowid AS id, {rank} AS rank FROM search_fts WHERE {condition} "
        "ORDER BY rowid DESC LIMIT :cap) AS candidates ORDER BY rank, id DESC LIMIT :limit OFFSET :offset"
    ), params))


def _pg_walk(session: Session, params: dict) -> tuple[int, list[int]] | None:
    """(matches up to cap + 1, one page) found by walking the primary key backwards, when a
    sample of the newest documents shows matches are common; None when they are not, or
    when the walk's id range holds no more than `cap` matches (older ones may exist).

    The walk reads twice the rows the sample's density needs to reach the cap (to allow for
    chance), as an id range. ts_match_vq() is the @@ operator written as a function, which
    the GIN index cannot serve, so the planner walks the key and stops at cap + 1 matches,
    having ranked only those.
    """
    _table, _condition, rank = _match_sql(session)
    rows = session.execute(text(
        "WITH recent AS (SELECT product_id, ts_match_vq(search_vector, to_tsquery('simple', :match)) AS hit "
        "FROM search_documents ORDER BY product_id DESC LIMIT :sample), "
        "sample AS (SELECT count(*) AS seen, count(*) FILTER (WHERE hit) AS hits, max(product_id) AS newest, "
        "min(product_id) AS oldest FROM recent), "
        "walk AS (SELECT newest - (newest - oldest + 1) * (2 * :over * seen / hits) / seen AS floor FROM sample "
        "WHERE seen = :sample AND hits > 0 AND 2 * :over * seen / hits <= :max_walk), "
        f"walked AS MATERIALIZED (SELECT product_id, {rank} AS rank FROM search_documents "
        "WHERE product_id >= (SELECT floor FROM walk) AND ts_match_vq(search_vector, to_tsquery('simple', :match)) "
        "ORDER BY product_id DESC LIMIT :over), "
        "total AS (SELECT count(*) AS n, min(product_id) AS oldest FROM walked) "
        "SELECT total.n, page.product_id FROM total LEFT JOIN LATERAL ("
        "SELECT product_id FROM walked WHERE total.n > :cap AND product_id > total.oldest "
        "ORDER BY rank, product_id DESC LIMIT :limit OFFSET :offset) AS page ON true"
    ), {**params, "sample": SAMPLE_ROWS, "max_walk": MAX_WALK_ROWS}).all()
    if rows[0].n <= RANKED_CANDIDATES:
        return None
    return rows[0].n, [row.product_id for row in rows if row.product_id is not None]


def _pg_from_index(session: Session, params: dict) -> tuple[int, list[int]]:
    """(matches up to cap + 1, one page) from every match read through the GIN index, the
    newest cap ranked (their vectors read by primary key only for those)."""
    _table, condition, rank = _match_sql(session)
    rows = session.execute(text(
        f"WITH found AS MATERIALIZED (SELECT product_id FROM search_documents WHERE {condition}), "
        "top AS (SELECT product_id FROM found ORDER BY product_id DESC LIMIT :cap), "
        "total AS (SELECT count(*) AS n FROM found) "
        "SELECT total.n, page.product_id FROM total LEFT JOIN LATERAL ("
        "SELECT d.product_id FROM top JOIN search_documents AS d ON d.product_id = top.product_id "
        f"ORDER BY {rank}, d.product_id DESC LIMIT :limit OFFSET :offset) AS page ON true"
    ), params).all()
    return min(rows[0].n, RANKED_CANDIDATES + 1), [row.product_id for row in rows if row.product_id is not None]


def search_page(session: Session, query: ParsedQuery, limit: int, offset: int = 0) -> tuple[int, list[int]]:
    """(matches counted up to RANKED_CANDIDATES + 1, one page of ids best first) for a plain search.

    Pages reach only the RANKED_CANDIDATES ranked matches; a count above RANKED_CANDIDATES
    means "more than that". Two queries on SQLite; one to four on PostgreSQL.
    """
    if not is_postgres(session):
        return count(session, query), ranked_ids(session, query, limit, offset)
    params = {"match": _match_text(session, query), "cap": RANKED_CANDIDATES, "over": RANKED_CANDIDATES + 1,
              "limit": max(0, min(limit, RANKED_CANDIDATES - offset)), "offset": offset}
    walked = _pg_walk(session, params)
    if walked is not None:
        return walked
    with _prefer_index(session):
        return _pg_from_index(session, params)


# ---- keeping the index in step --------------------------------------------------------------

def _chunks(ids: Iterable[int], size: int = 500):
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _documents(connection: Connection, product_ids: list[int]) -> list[dict]:
    """The search_documents rows of those products that are public."""
    parent = aliased(Category)
    rows = connection.execute(
        select(Product.id, Product.name, Product.description, SellerProfile.shop_name, SellerProfile.kecamatan_code,
               Category.name_id, Category.name_en, parent.name_id.label("parent_id_name"),
               parent.name_en.label("parent_en_name"))
        .join(SellerProfile, SellerProfile.id == Product.seller_id)
        .outerjoin(Category, Category.id == Product.category_id)
        .outerjoin(parent, parent.id == Category.parent_id)
        .where(Product.id.in_(product_ids), Product.status == ProductStatus.PUBLISHED,
               SellerProfile.status == SellerStatus.APPROVED)
    ).all()
    if not rows:
        return []
    tags: dict[int, list[str]] = defaultdict(list)
    for product_id, slug, name_id, name_en in connection.execute(
        select(product_tags.c.product_id, Tag.slug, Tag.name_id, Tag.name_en)
        .join(Tag, Tag.id == product_tags.c.tag_id)
        .where(product_tags.c.product_id.in_([r.id for r in rows]))
    ):
        tags[product_id].extend((slug.replace("-", " "), name_id, name_en))
    return [
        {
            "product_id": r.id,
            "name_terms": index_terms(r.name),
            "body_terms": index_terms(r.description, " ".join(tags[r.id]), r.name_id, r.name_en, r.parent_id_name,
                                      r.parent_en_name, r.shop_name, kecamatan_name(r.kecamatan_code)),
        }
        for r in rows
    ]


def reindex_products(connection: Connection, product_ids: Iterable[int]) -> None:
    """Rewrite the search documents of these products (dropping those no longer public)."""
    table = SearchDocument.__table__
    for chunk in _chunks(set(product_ids)):
        connection.execute(delete(table).where(table.c.product_id.in_(chunk)))
        documents = _documents(connection, chunk)
        if documents:
            connection.execute(insert(table), documents)


def rebuild_search_index(session: Session) -> int:
    """Rebuild the whole index from the products table and commit; returns the documents written."""
    connection = session.connection()
    table = SearchDocument.__table__
    connection.execute(delete(table))
    written, last_id = 0, 0
    while True:
        ids = list(connection.scalars(
            select(Product.id).where(Product.id > last_id, Product.status == ProductStatus.PUBLISHED)
            .order_by(Product.id).limit(_BATCH)
        ))
        if not ids:
            break
        documents = _documents(connection, ids)
        if documents:
            connection.execute(insert(table), documents)
        written += len(documents)
        last_id = ids[-1]
    session.commit()
    return written


def refresh_statistics(session: Session) -> None:
    """After a bulk load, let PostgreSQL's planner see the new row counts (autovacuum may lag),
    and move the GIN index's pending entries into the index proper: until autovacuum does,
    every search scans that pending list (up to gin_pending_list_limit, 4 MB) in full."""
    if is_postgres(session):
        session.execute(text("SELECT gin_clean_pending_list('ix_search_documents_search_vector'::regclass)"))
        session.execute(text("ANALYZE products, seller_profiles, product_tags, search_documents"))
        session.commit()


# Which attribute changes make a document stale.
_WATCHED = {
    Product: ("name", "description", "status", "category_id", "category", "seller_id", "seller", "tags"),
    SellerProfile: ("shop_name", "status", "kecamatan_code"),
    Category: ("name_id", "name_en", "parent_id", "parent"),
    Tag: ("slug", "name_id", "name_en"),
}


def _changed(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in _WATCHED[type(obj)])


def _after_flush(session: Session, _flush_context) -> None:
    touched: dict[type, set[int]] = defaultdict(set)
    for obj in session.new:
        if type(obj) in _WATCHED:
            touched[type(obj)].add(obj.id)
    for obj in session.dirty:
        if type(obj) in _WATCHED and _changed(obj):
            touched[type(obj)].add(obj.id)
    deleted = {obj.id for obj in session.deleted if isinstance(obj, Product)}
    if not touched and not deleted:
        return
    connection = session.connection()
    product_ids = set(touched[Product]) - deleted
    conditions = []
    if touched[SellerProfile]:
        conditions.append(Product.seller_id.in_(touched[SellerProfile]))
    if touched[Category]:
        child = select(Category.id).where(Category.parent_id.in_(touched[Category]))
        conditions.append(Product.category_id.in_(touched[Category]))
        conditions.append(Product.category_id.in_(child.scalar_subquery()))
    if touched[Tag]:
        conditions.append(Product.id.in_(
            select(product_tags.c.product_id).where(product_tags.c.tag_id.in_(touched[Tag])).scalar_subquery()
        ))
    if conditions:
        product_ids.update(connection.scalars(select(Product.id).where(or_(*conditions))))
    if deleted:
        table = SearchDocument.__table__
        for chunk in _chunks(deleted):
            connection.execute(delete(table).where(table.c.product_id.in_(chunk)))
    if product_ids:
        reindex_products(connection, product_ids - deleted)


def init_search_sync() -> None:
    """Listen to every ORM session's flushes (once) so the index follows changes."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


init_search_sync()
